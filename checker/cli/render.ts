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
  // `symmetry` says whether the distinct count is of states (off) or of orbits (on).
  const rows = [['spec', 'expected', 'result', 'distinct', 'depth', 'time s', 'states/s', 'symmetry', 'met']];
  for (const r of records) {
    rows.push([
      r.label,
      r.expected,
      r.result === 'violation'
        ? `violates ${r.invariant} in ${r.traceLength}`
        : r.result === 'deadlock' && r.traceLength !== null
          ? `deadlock in ${r.traceLength}`
          : r.result,
      fmtInt(r.distinctStates),
      String(r.depth),
      fmtSec(r.seconds),
      fmtInt(r.statesPerSecond),
      r.symmetry ? 'on' : 'off',
      r.adHoc ? '-' : r.met ? 'yes' : 'NO',
    ]);
  }
  const lines = [table(rows)];
  for (const r of records) {
    for (const v of r.violations) {
      lines.push(`  ${r.label}: ${v.invariant} violated, counterexample of ${v.traceLength} states${v.tracePath ? `, written to ${v.tracePath}` : ''}`);
    }
    if (r.result === 'deadlock') lines.push(`  ${r.label}: deadlock after ${r.traceLength} states${r.tracePath ? `, trace written to ${r.tracePath}` : ''}`);
    else if (r.violations.length === 0 && r.tracePath) lines.push(`  ${r.label}: trace written to ${r.tracePath}`);
    for (const f of r.failures) lines.push(`  ${r.label}: ${r.adHoc ? '' : 'FAILED: '}${f}`);
    for (const e of r.renderErrors) lines.push(`  ${r.label}: report not rendered: ${e}`);
    for (const d of r.removedReports) lines.push(`  ${r.label}: removed the report of an earlier run, ${d} (this run found no counterexample)`);
  }
  const judged = records.filter((r) => !r.adHoc);
  const adHoc = records.length - judged.length;
  const failed = judged.filter((r) => !r.met).length;
  const parts: string[] = [];
  if (judged.length > 0) {
    parts.push(failed === 0 ? `${judged.length} checked, every expectation met` : `${judged.length} checked, ${failed} expectation${failed > 1 ? 's' : ''} failed`);
  }
  if (adHoc > 0) {
    const found = records.filter((r) => r.adHoc && r.result !== 'ok').length;
    parts.push(`${adHoc} checked ad hoc (no expectation), ${found === 0 ? 'nothing found' : `${found} with a finding`}`);
  }
  lines.push(parts.join('; ') + '.');
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
 * Progress of a check on stderr, whatever the streams are: on a terminal a live line
 * (redrawn in place after two seconds, erased at the end), otherwise one line every
 * `io.progressEveryMs` (default five seconds), so that piped, redirected and `--json` runs
 * say where they are. Short runs print nothing.
 */
export function progressReporter(
  io: { readonly err: (t: string) => void; readonly tty?: NodeJS.WriteStream; readonly progressEveryMs?: number },
  name: string,
): (e: CheckEvent) => void {
  if (io.tty) return progressLine(io.tty, name);
  const every = io.progressEveryMs ?? 5000;
  let next = every;
  return (e) => {
    if (e.type === 'progress' && e.seconds * 1000 >= next) {
      next = e.seconds * 1000 + every;
      io.err(`${name}: ${fmtInt(e.distinct)} distinct, ${fmtInt(Math.round(e.statesPerSecond))} states/s, queue ${fmtInt(e.queue)}, depth ${e.depth}, ${fmtSec(e.seconds)} s\n`);
    }
  };
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
