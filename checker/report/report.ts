/**
 * A counterexample report a person reads in a minute, one folder per spec:
 * `trace.json` (replayable), `trace.itf.json` (Informal Trace Format, for Apalache/Quint
 * tools), `trace.txt` (TLC-style, each step showing only what changed), `sequence.dot` and
 * `sequence.svg` (the swimlane chart), and `index.html` (chart, steps with diffs and the
 * invariant, self-contained). Rendering never fails a check: an error in one file is
 * reported and the others are still written.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatAction, type Action, type Spec } from '../core/spec.js';
import type { Trace } from '../core/trace.js';
import { dotToSvg } from '../cli/graph.js';
import { toTraceFile, type TraceFile } from '../cli/tracefile.js';
import { diffLines } from './diff.js';
import { describeTrace, sequenceDot } from './sequence.js';

/** What a report says about its trace (the trace file's metadata). */
export type ReportMeta = Omit<TraceFile, 'format' | 'version' | 'states' | 'steps'>;

/** The files written and the renderings that failed. */
export interface ReportResult {
  readonly dir: string;
  readonly files: readonly string[];
  readonly errors: readonly string[];
}

/** The TLC-style text: the initial state in full, then per step the action and what changed. */
export function traceText<S, A extends Action>(spec: Spec<S, A>, trace: Trace<S>, meta: ReportMeta): string {
  const view = (s: S): unknown => (spec.toJSON ? spec.toJSON(s) : s);
  const out: string[] = [];
  out.push(`${meta.spec}: ${meta.invariant ? `${meta.invariant} violated` : meta.result}, ${trace.states.length} states`);
  out.push(`constants: ${Object.entries(meta.constants).map(([k, v]) => `${k}=${v}`).join(' ')}${meta.mutant ? `; mutant: ${meta.mutant}` : ''}`);
  out.push('');
  out.push('State 1: <Initial predicate>');
  for (const [k, v] of Object.entries(view(trace.states[0]!) as Record<string, unknown>)) out.push(`/\\ ${k} = ${JSON.stringify(v)}`);
  for (let i = 0; i < trace.actions.length; i++) {
    out.push('');
    out.push(`State ${i + 2}: <${formatAction(trace.actions[i]!)}>`);
    for (const l of diffLines(view(trace.states[i]!), view(trace.states[i + 1]!))) out.push(`  ${l}`);
  }
  if (trace.loopStart !== undefined) {
    // A lasso, as TLC prints one: the loop closes back to a state, or the last state stutters.
    const k = trace.loopStart + 1;
    out.push('');
    out.push(trace.loopStart === trace.states.length - 1 ? `State ${k}: Stuttering (forever)` : `Back to state ${k} (state ${trace.states.length} is state ${k}).`);
    out.push('');
    out.push(`Temporal property ${meta.invariant} is violated by this lasso (the loop from state ${k} repeats forever)${meta.fairness?.length ? ` under ${meta.fairness.join(' /\\ ')}` : ''}.`);
  } else if (meta.invariant) {
    out.push('');
    out.push(`Invariant ${meta.invariant} is violated in state ${trace.states.length}.`);
    for (const l of spec.describeViolation?.(meta.invariant, trace.states.at(-1)!) ?? []) out.push(`  ${l}`);
  }
  return out.join('\n') + '\n';
}

/** The trace in the Informal Trace Format (ADR-015 of Apalache). */
export function traceItf<S, A extends Action>(spec: Spec<S, A>, trace: Trace<S>, meta: ReportMeta): Record<string, unknown> {
  const view = (s: S): Record<string, unknown> =>
    spec.toITF ? spec.toITF(s) : (spec.toJSON ? (spec.toJSON(s) as Record<string, unknown>) : (s as Record<string, unknown>));
  const states = trace.states.map((s, i) => ({ '#meta': { index: i, ...(i > 0 ? { action: formatAction(trace.actions[i - 1]!) } : {}) }, ...view(s) }));
  return {
    '#meta': {
      format: 'ITF',
      'format-description': 'https://apalache-mc.org/docs/adr/015adr-trace.html',
      source: meta.model,
      description: `${meta.spec}: ${meta.invariant ? `${meta.invariant} violated` : meta.result}`,
    },
    vars: Object.keys(states[0] ?? {}).filter((k) => k !== '#meta'),
    states,
    // ITF's lasso: the index of the state the last one loops back to.
    ...(trace.loopStart !== undefined ? { loop: trace.loopStart } : {}),
  };
}

const html = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The self-contained HTML page: the chart inline, the steps with their diffs, the invariant. */
export function traceHtml<S, A extends Action>(spec: Spec<S, A>, trace: Trace<S>, meta: ReportMeta, svg: string | null): string {
  const view = (s: S): unknown => (spec.toJSON ? spec.toJSON(s) : s);
  // The page stands without step descriptions (the chart reports its own failure).
  let infos: { node: string; events: readonly string[] }[];
  try {
    infos = describeTrace(spec, trace);
  } catch {
    infos = trace.actions.map(() => ({ node: '', events: [] }));
  }
  const steps = trace.actions.map((a, i) => {
    const patches = diffLines(view(trace.states[i]!), view(trace.states[i + 1]!));
    const info = infos[i]!;
    return `<li class="step" id="step-${i + 2}"><div class="head"><span class="n">${i + 2}</span> <code>${html(formatAction(a))}</code> <span class="node">${html(info.node)}</span></div>${
      info.events.length ? `<div class="events">${info.events.map(html).join('<br>')}</div>` : ''
    }<pre class="diff">${patches.map(html).join('\n')}</pre></li>`;
  });
  const violation = meta.invariant && trace.loopStart !== undefined
    ? `<section class="violation"><h2>${html(meta.invariant)} is violated by this lasso: back to state ${trace.loopStart + 1}, forever</h2></section>`
    : meta.invariant
    ? `<section class="violation"><h2>${html(meta.invariant)} is violated in state ${trace.states.length}</h2><pre>${(spec.describeViolation?.(meta.invariant, trace.states.at(-1)!) ?? []).map(html).join('\n')}</pre></section>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${html(meta.spec)}: ${html(meta.invariant ?? meta.result)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}
h1{font-size:1.4em} .meta{color:#555} .chart{overflow:auto;border:1px solid #ddd;padding:8px;margin:1em 0}
ol{list-style:none;padding:0} .step{border-left:3px solid #1f5fbf;margin:.6em 0;padding:.3em .8em;background:#f7f9fc}
.head .n{display:inline-block;min-width:2em;color:#888} .node{color:#1f5fbf;font-size:.9em} .events{color:#555;font-size:.9em;margin:.2em 0}
pre.diff{margin:.3em 0;font-size:.85em;white-space:pre-wrap} .violation{border:2px solid #c00;background:#fff3f3;padding:.5em 1em}
.violation h2{color:#a00;font-size:1.1em}
</style></head><body>
<h1>${html(meta.spec)}: ${html(meta.invariant ? `${meta.invariant} violated` : meta.result)}</h1>
<p class="meta">${trace.states.length} states; constants ${html(Object.entries(meta.constants).map(([k, v]) => `${k}=${v}`).join(' '))}${meta.mutant ? `; mutant <b>${html(meta.mutant)}</b>` : ''}. Each step shows only what changed. Replay: <code>leasecheck replay trace.json</code>.</p>
${violation}
<div class="chart" id="chart">${svg ?? '<p>(the chart could not be rendered; see sequence.dot)</p>'}</div>
<h2>Steps</h2>
<ol id="steps"><li class="step initial" id="step-1"><div class="head"><span class="n">1</span> initial state</div><pre class="diff">${html(JSON.stringify(view(trace.states[0]!), null, 1))}</pre></li>
${steps.join('\n')}
</ol>
</body></html>
`;
}

/** Writes the whole report folder; never throws for a rendering failure. */
export async function writeReport<S, A extends Action>(dir: string, spec: Spec<S, A>, trace: Trace<S>, meta: ReportMeta): Promise<ReportResult> {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const errors: string[] = [];
  const put = (name: string, f: () => string): string | null => {
    try {
      const text = f();
      writeFileSync(join(dir, name), text);
      files.push(join(dir, name));
      return text;
    } catch (e) {
      errors.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
      return null;
    }
  };
  put('trace.json', () => JSON.stringify(toTraceFile(spec, meta, trace as Trace<unknown>), null, 1) + '\n');
  put('trace.itf.json', () => JSON.stringify(traceItf(spec, trace, meta), null, 1) + '\n');
  put('trace.txt', () => traceText(spec, trace, meta));
  const dot = put('sequence.dot', () => sequenceDot(spec, trace, meta.invariant));
  let svg: string | null = null;
  if (dot !== null) {
    try {
      svg = await dotToSvg(dot);
      writeFileSync(join(dir, 'sequence.svg'), svg);
      files.push(join(dir, 'sequence.svg'));
    } catch (e) {
      errors.push(`sequence.svg: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  put('index.html', () => traceHtml(spec, trace, meta, svg ? svg.replace(/^<\?xml[^>]*>\s*/, '').replace(/<!DOCTYPE[^>]*>\s*/, '') : null));
  return { dir, files, errors };
}
