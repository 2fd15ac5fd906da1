/**
 * `check` of a single spec in a terminal: the counterexample as TLC prints it (one block per
 * state, what changed; `--full-states` for every variable), before the statistics; coverage
 * only with `--coverage` or `--details`.
 */
import { describe, expect, it } from 'vitest';
import { cli } from './test-cli.js';

describe('check in the terminal', () => {
  it('prints the counterexample state by state before the table, and no coverage by default', async () => {
    const r = await cli('check', 'mutant-grantWhileLeased');
    expect(r.code).toBe(0);
    expect(r.out.startsWith('Error: LeaseAgreement is violated.\nError: The behavior up to this point is:\nState 1: <Initial predicate>\n/\\ clock = {1: 0, 2: 0, M: 0}\n')).toBe(true);
    expect(r.out).toContain('\nState 5: <CGrant(Grant(1, 2, 2))>\n  ver.1 = 2\n  leaseVer.1 = 2\n  leaseExp.1 = 2\n  msgs: - {type: "Grant", to: 1, v: 2, exp: 2}\n');
    expect(r.out.match(/^State \d+:/gm)).toHaveLength(5);
    expect(r.out.indexOf('LeaseAgreement is violated in state 5')).toBeLessThan(r.out.indexOf('spec  '));
    expect(r.out).not.toContain('coverage of');
  });

  it('--full-states prints every variable of every state; --coverage adds the coverage table', async () => {
    const r = await cli('check', 'mutant-grantWhileLeased', '--full-states', '--coverage');
    expect(r.out.match(/^\/\\ clock = /gm)).toHaveLength(5);
    expect(r.out).toContain('coverage of mutant-grantWhileLeased (action: fired / new states):');
    expect((await cli('check', 'mutant-grantWhileLeased', '--details')).out).toContain('coverage of');
  });
});
