/**
 * Renderers for the CLI's output: the summary table, JSON lines, and the progress line.
 * They listen to the engine's events and format records; the engine itself never prints.
 */
import type { CheckEvent } from '../core/explore.js';
import type { RunRecord } from './run.js';
import type { AnySpec } from './catalog.js';
import { counterexampleText } from '../report/report.js';

const fmtInt = (n: number): string => n.toLocaleString('en-US');
const fmtSec = (s: number): string => (s < 10 ? s.toFixed(2) : s.toFixed(1));

/** Pads cells into aligned columns. */
function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i >= 3 && i <= 6 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

/** The summary table of a run of checks, with one line per violation and failure under it. */
export function renderTable(records: readonly RunRecord[]): string {
  const rows = [['spec', 'expected', 'result', 'distinct', 'depth', 'time s', 'states/s', 'met']];
  for (const r of records) {
    rows.push([
      r.spec,
      r.expected,
      r.result === 'violation' ? `violates ${r.invariant} in ${r.traceLength}` : r.result,
      fmtInt(r.distinctStates),
      String(r.depth),
      fmtSec(r.seconds),
      fmtInt(r.statesPerSecond),
      r.met ? 'yes' : 'NO',
    ]);
  }
  const lines = [table(rows)];
  for (const r of records) {
    for (const v of r.violations) {
      lines.push(`  ${r.spec}: ${v.invariant} violated, counterexample of ${v.traceLength} states${r.tracePath && v === r.violations[0] ? `, written to ${r.tracePath}` : ''}`);
    }
    for (const f of r.failures) lines.push(`  ${r.spec}: FAILED: ${f}`);
    for (const e of r.renderErrors) lines.push(`  ${r.spec}: report not rendered: ${e}`);
  }
  const failed = records.filter((r) => !r.met).length;
  lines.push(
    failed === 0
      ? `${records.length} checked, every expectation met.`
      : `${records.length} checked, ${failed} expectation${failed > 1 ? 's' : ''} failed.`,
  );
  return lines.join('\n');
}

/** The details of a check: coverage (with `coverage`), levels (with `levels`), the fingerprint statistics. */
export function renderDetails(r: RunRecord, levels: boolean, coverage = true): string {
  const lines: string[] = [];
  const cov = Object.entries(r.stats.coverage);
  if (coverage && cov.length > 0) {
    lines.push(`coverage of ${r.spec} (action: fired / new states):`);
    for (const [name, c] of cov) lines.push(`  ${name.padEnd(16)} ${fmtInt(c.fired).padStart(12)} / ${fmtInt(c.newStates)}`);
  }
  if (coverage && r.stats.neverFired.length > 0) lines.push(`  never fired: ${r.stats.neverFired.join(', ')}`);
  if (levels) lines.push(`levels of ${r.spec} (new states per depth): ${r.stats.levels.join(' ')}`);
  lines.push(
    `fingerprint collision probability (optimistic, as TLC): ${r.stats.collisionProbability.toExponential(1)}; visited set ${fmtInt(
      Math.round(r.stats.visitedBytes / Math.max(1, r.distinctStates)),
    )} bytes/state`,
  );
  return lines.join('\n');
}

/**
 * The first counterexample of a check as TLC prints it (one block per state, what changed;
 * every variable with `full`), or null when the check has none.
 */
export function renderCounterexample(spec: AnySpec, r: RunRecord, full: boolean): string | null {
  if (!r.counterexample) return null;
  const headline = r.result === 'deadlock' ? 'Deadlock reached.' : r.result === 'error' && r.error ? `${r.error}` : undefined;
  return counterexampleText(spec, r.counterexample, r.invariant, full, headline);
}

/** One JSON object per check (`--json`). */
export function renderJson(r: RunRecord, meta: Record<string, unknown>): string {
  const { stats, counterexample: _states, ...rest } = r;
  return JSON.stringify({
    ...rest,
    levels: stats.levels,
    coverage: stats.coverage,
    neverFired: stats.neverFired,
    sometimes: stats.sometimes,
    collisionProbability: stats.collisionProbability,
    visitedBytesPerState: stats.visitedBytes / Math.max(1, stats.distinctStates),
    ...meta,
  });
}

/**
 * A progress listener that redraws one line on `out` (a terminal), starting only after
 * `delayMs` so that short runs stay quiet.
 */
export function progressLine(out: NodeJS.WriteStream, name: string, delayMs = 2000): (e: CheckEvent) => void {
  let drawn = false;
  return (e) => {
    if (e.type === 'progress' && e.seconds * 1000 >= delayMs) {
      drawn = true;
      out.write(
        `\r${name}: ${fmtInt(e.distinct)} distinct, ${fmtInt(Math.round(e.statesPerSecond))} states/s, queue ${fmtInt(e.queue)}, depth ${e.depth}   `,
      );
    } else if (e.type === 'done' && drawn) {
      out.write('\r\x1b[K');
    }
  };
}
