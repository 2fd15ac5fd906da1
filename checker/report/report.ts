/**
 * A counterexample report a person reads in a minute, one folder per spec:
 * `trace.json` (replayable), `trace.itf.json` (Informal Trace Format, for Apalache/Quint
 * tools), `trace.txt` (TLC-style, each step showing only what changed, the violating state in
 * full), `sequence.svg` (the swimlane chart with the lease timeline, see `swimlane.ts`),
 * `sequence.dot` (the chart for Graphviz users) and `index.html` (an explorer: the chart, the
 * steps with their diffs, the whole state at any step, the violation; self-contained).
 * Rendering never fails a check: an error in one file is reported and the others are still
 * written. States may hold `Set`s and `Map`s (see `values.ts`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatAction, type Action, type Spec, type StepInfo } from '../core/spec.js';
import type { Trace } from '../core/trace.js';
import type { AnySpec } from '../core/spec.js';
import { toTraceFile, type TraceFile } from './tracefile.js';
import { diffLines } from './diff.js';
import { describeTrace, sequenceDot } from './sequence.js';
import { messageFlows, overtakenBy, swimlane } from './swimlane.js';
import { describeOverlap, traceTimeline } from './timeline.js';
import { canonical, formatValue, recordReads, toItfValue, toJsonValue } from './values.js';

/** What a report says about its trace (the trace file's metadata). */
export type ReportMeta = Omit<TraceFile, 'format' | 'version' | 'states' | 'steps'>;

/** The files written and the renderings that failed. */
export interface ReportResult {
  readonly dir: string;
  readonly files: readonly string[];
  readonly errors: readonly string[];
}

/** The JSON view of a state: the spec's `toJSON` (or the state), as a value that may hold `Set`s and `Map`s. */
function viewOf<S, A extends Action>(spec: Spec<S, A>): (s: S) => unknown {
  return (s) => (spec.toJSON ? spec.toJSON(s) : s);
}

/**
 * The paths of the last state's JSON view that the violated property reads: the spec's
 * `propertyReads` hook, or (for a spec whose state is its own view) what re-checking the
 * invariant through a read-recording proxy touched. Empty when neither is available.
 */
export function violationReads<S, A extends Action>(spec: Spec<S, A>, property: string, state: S): string[] {
  if (spec.propertyReads) return [...spec.propertyReads(property, state)];
  if (spec.toJSON) return [];
  const inv = [...(spec.invariants ?? []), ...(spec.sometimes ?? [])].find((q) => q.name === property);
  return inv ? (recordReads(state, (x) => inv.check(x as S)) ?? []) : [];
}

/**
 * The lines that say what a violation is about: the spec's `describeViolation`, or else the
 * value of each path the property reads (`pc[0] = "critical"`).
 */
export function violationLines<S, A extends Action>(spec: Spec<S, A>, property: string, state: S): string[] {
  const own = spec.describeViolation?.(property, state) ?? [];
  if (own.length > 0) return [...own];
  const view = viewOf(spec)(state);
  return violationReads(spec, property, state).map((r) => `${r} = ${formatValue(valueAt(view, r))}`);
}

/** The value at a view path such as `clock.M`, `ver.1`, `pc[2]` or `owner["k"]`; undefined when absent. */
export function valueAt(view: unknown, path: string): unknown {
  const parts = [...path.matchAll(/([^.[\]]+)|\[("(?:[^"\\]|\\.)*"|[^\]]+)\]/g)].map((m) => (m[1] !== undefined ? m[1] : m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!));
  let v: unknown = view;
  for (const k of parts) {
    if (v instanceof Map) v = v.has(k) ? v.get(k) : [...v].find(([x]) => String(x) === k || formatValue(x) === k)?.[1];
    else if (v !== null && typeof v === 'object') v = (v as Record<string, unknown>)[k];
    else return undefined;
  }
  return v;
}

/** Whether a table cell at `path` shows something a read of `reads` touched (the same path, or one inside the other). */
const touches = (path: string, reads: readonly string[]): boolean =>
  reads.some((r) => r === path || r.startsWith(`${path}.`) || r.startsWith(`${path}[`) || path.startsWith(`${r}.`) || path.startsWith(`${r}[`));

/** The explorer's layout: the spec's tables per node, or one table of the view's top-level fields. */
function tablesOf<S, A extends Action>(spec: Spec<S, A>, view: unknown): { node: string; fields: { name: string; path: string }[] }[] {
  if (spec.stateTables) return spec.stateTables.map((t) => ({ node: t.node, fields: [...t.fields] }));
  const keys = view !== null && typeof view === 'object' && !Array.isArray(view) && !(view instanceof Set) && !(view instanceof Map) ? Object.keys(view) : [];
  return [{ node: 'state', fields: keys.length ? keys.map((k) => ({ name: k, path: k })) : [{ name: 'value', path: '' }] }];
}

/** TLC's last line of a lasso (a liveness counterexample whose trace has `loopStart`): `Back to state k.` */
function loopLine<S>(trace: Trace<S>): string | null {
  const k = (trace as { readonly loopStart?: number }).loopStart;
  return k !== undefined && k >= 0 && k < trace.states.length ? `Back to state ${k + 1}.` : null;
}

/** The TLC-style text: the initial state in full, then per step the action and what changed, then the violating state in full. */
export function traceText<S, A extends Action>(spec: Spec<S, A>, trace: Trace<S>, meta: ReportMeta): string {
  const view = viewOf(spec);
  const out: string[] = [];
  const full = (s: S, reads: readonly string[]): string[] => {
    const v = view(s);
    if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Set || v instanceof Map) return [`/\\ ${formatValue(v)}`];
    return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${touches(k, reads) ? '*' : ' '}/\\ ${k} = ${formatValue(x)}`);
  };
  out.push(`${meta.spec}: ${meta.invariant ? `${meta.invariant} violated` : meta.result}, ${trace.states.length} states`);
  out.push(`constants: ${Object.entries(meta.constants).map(([k, v]) => `${k}=${v}`).join(' ')}${meta.mutant ? `; mutant: ${meta.mutant}` : ''}`);
  out.push('');
  out.push('State 1: <Initial predicate>');
  out.push(...full(trace.states[0]!, []).map((l) => l.slice(1)));
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
    const last = trace.states.at(-1)!;
    out.push('');
    out.push(`Invariant ${meta.invariant} is violated in state ${trace.states.length}.`);
    for (const l of violationLines(spec, meta.invariant, last)) out.push(`  ${l}`);
    const reads = violationReads(spec, meta.invariant, last);
    out.push('');
    out.push(`State ${trace.states.length} in full${reads.length ? ` (* marks what ${meta.invariant} reads)` : ''}:`);
    out.push(...full(last, reads));
  }
  return out.join('\n') + '\n';
}

/**
 * A counterexample as TLC prints it in a terminal: one block per state, `State k: <Action>`,
 * the initial state in full and then what each step changed (every variable of every state
 * with `full`), then the violated property with the values it is about.
 */
export function counterexampleText<S, A extends Action>(spec: Spec<S, A>, trace: Trace<S>, property: string | null, full = false, headline?: string): string {
  const view = viewOf(spec);
  const whole = (s: S): string[] => {
    const v = view(s);
    if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Set || v instanceof Map) return [`/\\ ${formatValue(v)}`];
    return Object.entries(v as Record<string, unknown>).map(([k, x]) => `/\\ ${k} = ${formatValue(x)}`);
  };
  const out: string[] = [];
  if (property || headline) out.push(`Error: ${headline ?? `${property} is violated.`}`, 'Error: The behavior up to this point is:');
  out.push('State 1: <Initial predicate>', ...whole(trace.states[0]!));
  trace.actions.forEach((a, i) => {
    out.push('', `State ${i + 2}: <${formatAction(a)}>`);
    if (full) out.push(...whole(trace.states[i + 1]!));
    else {
      const d = diffLines(view(trace.states[i]!), view(trace.states[i + 1]!));
      out.push(...(d.length ? d.map((l) => `  ${l}`) : ['  (nothing changed)']));
    }
  });
  const loop = loopLine(trace);
  if (loop) out.push('', loop);
  if (property) {
    out.push('', `${property} is violated in state ${trace.states.length}${full ? '.' : ' (--full-states prints every variable of every state).'}`);
    for (const l of violationLines(spec, property, trace.states.at(-1)!)) out.push(`  ${l}`);
  }
  return out.join('\n');
}

/** The trace in the Informal Trace Format (ADR-015 of Apalache). */
export function traceItf<S, A extends Action>(spec: Spec<S, A>, trace: Trace<S>, meta: ReportMeta): Record<string, unknown> {
  const view = (s: S): Record<string, unknown> => {
    if (spec.toITF) return spec.toITF(s);
    const v = toItfValue(viewOf(spec)(s));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  };
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

const html = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** One state as a table per node; `changed` cells differ from `prev`, `reads` cells are what the property reads. */
function stateTablesHtml(tables: ReturnType<typeof tablesOf>, view: unknown, prev: unknown, reads: readonly string[]): string {
  return tables
    .map((t) => {
      const rows = t.fields.map((f) => {
        const v = f.path === '' ? view : valueAt(view, f.path);
        const changed = prev !== undefined && canonical(v) !== canonical(f.path === '' ? prev : valueAt(prev, f.path));
        const read = touches(f.path, reads);
        const cls = [changed ? 'changed' : '', read ? 'read' : ''].filter(Boolean).join(' ');
        return `<tr${cls ? ` class="${cls}"` : ''} data-path="${html(f.path)}"><th>${html(f.name)}</th><td>${html(formatValue(v))}</td></tr>`;
      });
      return `<table class="node"><caption>${html(t.node)}</caption>${rows.join('')}</table>`;
    })
    .join('');
}

/** The self-contained HTML page: an explorer of the trace (chart, steps, the state at any step, the violation). */
export function traceHtml<S, A extends Action>(spec: Spec<S, A>, trace: Trace<S>, meta: ReportMeta, svg: string | null): string {
  const view = viewOf(spec);
  const views = trace.states.map(view);
  // The page stands without step descriptions (the chart reports its own failure).
  let infos: { node: string; events: readonly string[] }[];
  try {
    infos = describeTrace(spec, trace);
  } catch {
    infos = trace.actions.map(() => ({ node: '', events: [] }));
  }
  const last = trace.states.length;
  const reads = meta.invariant ? violationReads(spec, meta.invariant, trace.states.at(-1)!) : [];
  const tables = tablesOf(spec, views[0]);
  let timeline: ReturnType<typeof traceTimeline> = null;
  try {
    timeline = traceTimeline(spec, trace);
  } catch {
    timeline = null;
  }
  const steps = trace.actions.map((a, i) => {
    const patches = diffLines(views[i], views[i + 1]);
    const info = infos[i]!;
    return `<li class="step" id="step-${i + 2}" data-step="${i + 2}"><div class="head"><span class="n">${i + 2}</span> <code>${html(formatAction(a))}</code> <span class="node">${html(info.node)}</span></div>${
      info.events.length ? `<div class="events">${info.events.map(html).join('<br>')}</div>` : ''
    }<pre class="diff">${patches.map(html).join('\n')}</pre></li>`;
  });
  let inFlight: string[] = [];
  try {
    const flows = messageFlows(infos as StepInfo[]);
    const over = overtakenBy(flows, infos as StepInfo[]);
    inFlight = flows
      .map((f, i) => (f.fate === 'in flight' ? `${f.msg.label}, sent at step ${f.from + 2} by ${f.msg.from} to ${f.msg.to}${over[i] !== null ? `; overtaken by the one sent at step ${over[i]! + 2}, already delivered` : ''}` : ''))
      .filter(Boolean);
  } catch {
    inFlight = [];
  }
  const overlaps = (timeline ?? []).map((t, k) => (t.overlap.length ? `state ${k + 1}: ${describeOverlap(t)}` : '')).filter(Boolean);
  const violation = meta.invariant && trace.loopStart !== undefined
    ? `<section class="violation"><h2>${html(meta.invariant)} is violated by this lasso: back to state ${trace.loopStart + 1}, forever</h2></section>`
    : meta.invariant
    ? `<section class="violation"><h2>${html(meta.invariant)} is violated in state ${last}</h2><pre>${violationLines(spec, meta.invariant, trace.states.at(-1)!).map(html).join('\n')}</pre>${
        overlaps.length ? `<p class="overlaps"><b>Lease overlap</b> (shaded red in the chart):<br>${overlaps.slice(-3).map(html).join('<br>')}</p>` : ''
      }${inFlight.length ? `<p class="inflight"><b>Still in flight</b> (dashed purple arrows in the chart):<br>${inFlight.map(html).join('<br>')}</p>` : ''}</section>`
    : '';
  // The violating state whole, right under the chart (the chart stays in the first screen).
  const violatingState = meta.invariant
    ? `<section class="violating-state"><h2>State ${last} in full${reads.length ? `; outlined in red: what ${html(meta.invariant)} reads` : ''}; yellow: changed by the last step</h2><div class="tables">${stateTablesHtml(tables, views[last - 1], views[last - 2], reads)}</div></section>`
    : '';
  const states = views
    .map((v, k) => `<section class="state-view" data-state="${k + 1}"${k + 1 === last ? '' : ' hidden'}><h3>State ${k + 1}${k === 0 ? ' (initial)' : `, after step ${k + 1}: <code>${html(formatAction(trace.actions[k - 1]!))}</code>`}</h3><div class="tables">${stateTablesHtml(tables, v, k > 0 ? views[k - 1] : undefined, k + 1 === last ? reads : [])}</div></section>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${html(meta.spec)}: ${html(meta.invariant ?? meta.result)}</title>
<style>
*{box-sizing:border-box} body{font-family:system-ui,sans-serif;margin:16px;color:#222;max-width:1380px}
h1{font-size:1.35em;margin:.2em 0} .meta{color:#555;margin:.3em 0 .8em} h2{font-size:1.1em}
.chart{overflow:auto;max-width:100%;max-height:86vh;border:1px solid #ddd;margin:.8em 0;background:#fff}
.chart svg{display:block} .chart g.step.selected rect{stroke:#e65100;stroke-width:2.5}
.cols{display:flex;gap:16px;align-items:flex-start} .stepscol{flex:1 1 55%;min-width:0} #inspector{flex:1 1 45%;min-width:0;position:sticky;top:0;max-height:100vh;overflow:auto}
ol{list-style:none;padding:0;margin:0} .step{border-left:3px solid #1f5fbf;margin:.5em 0;padding:.3em .8em;background:#f7f9fc;cursor:pointer}
.step.selected{background:#fff4e5;border-left-color:#e65100}
.head .n{display:inline-block;min-width:2em;color:#888;font-weight:600} .node{color:#1f5fbf;font-size:.9em} .events{color:#555;font-size:.9em;margin:.2em 0}
pre{margin:.3em 0;font-size:.85em;white-space:pre-wrap;overflow-wrap:anywhere} .violation{border:2px solid #c00;background:#fff3f3;padding:.4em 1em}
.violation h2{color:#a00;margin:.3em 0} .violating-state{border:2px solid #c00;padding:.2em 1em .6em;margin:.8em 0} .violating-state h2{font-size:1em;color:#a00} .overlaps{color:#8a1010;font-size:.9em} .inflight{color:#5b2a8c;font-size:.9em}
.tables{display:flex;flex-wrap:wrap;gap:10px;align-items:flex-start} table.node{border-collapse:collapse;font-size:.82em;background:#fff;max-width:100%}
table.node caption{font-weight:700;text-align:left;color:#1f5fbf} table.node th,table.node td{border:1px solid #ddd;padding:1px 6px;text-align:left;vertical-align:top}
table.node td{font-family:ui-monospace,monospace;overflow-wrap:anywhere;max-width:420px} tr.changed td{background:#fff1a8} tr.read th,tr.read td{outline:2px solid #d00;outline-offset:-2px;font-weight:700}
summary{cursor:pointer;font-weight:600;margin:.3em 0} .legend{color:#555;font-size:.85em;margin:-.4em 0 .8em}
</style></head><body>
<h1>${html(meta.spec)}: ${html(meta.invariant ? `${meta.invariant} violated` : meta.result)}</h1>
<p class="meta">${last} states${Object.keys(meta.constants).length ? `; constants ${html(Object.entries(meta.constants).map(([k, v]) => `${k}=${v}`).join(' '))}` : ''}${meta.mutant ? `; mutant <b>${html(meta.mutant)}</b>` : ''}. Steps are numbered by the state they lead to, as in <code>trace.txt</code>; click a step (in the chart or the list) to see the whole state. Replay: <code>leasecheck replay trace.json</code>.</p>
${violation}
<div class="chart" id="chart">${svg ?? '<p>(the chart could not be rendered; see sequence.dot)</p>'}</div>
${timeline ? `<p class="legend">Lease timeline (right of the lanes): <b>t<i>n</i></b> is a node's clock as elapsed ticks, where it changes; a bar is whom the node believes holds the lease, coloured by holder, <b>→t<i>n</i></b> when the belief ends on that node's clock. A state's stored clocks and timestamps are normalised (every one shifted down together), so they read lower than the elapsed ticks by the same amount.</p>` : ''}
${violatingState}
<div class="cols"><div class="stepscol"><h2>Steps</h2>
<ol id="steps"><li class="step initial" id="step-1" data-step="1"><details><summary><span class="n">1</span> initial state</summary><div class="tables">${stateTablesHtml(tables, views[0], undefined, [])}</div></details></li>
${steps.join('\n')}
</ol></div>
<aside id="inspector"><h2>State at a step</h2>${states}</aside></div>
<script>
(function(){
  function select(k){
    document.querySelectorAll('.state-view').forEach(function(e){e.hidden=e.getAttribute('data-state')!==String(k);});
    document.querySelectorAll('.step').forEach(function(e){e.classList.toggle('selected',e.getAttribute('data-step')===String(k));});
  }
  document.querySelectorAll('[data-step]').forEach(function(e){e.addEventListener('click',function(ev){
    ev.stopPropagation();
    var k=e.getAttribute('data-step');
    select(k);
    // From the chart: bring the step and the state beside it into view.
    if(e.closest('#chart')){var li=document.getElementById('step-'+k);if(li)li.scrollIntoView({block:'start'});}
  });});
  select(${last});
})();
</script>
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
  // Sets and Maps in a state are written tagged (`#set`, `#map`), never as `{}`.
  const jsonSpec = { ...spec, toJSON: (s: S) => toJsonValue(viewOf(spec)(s)) } as Spec<S, A>;
  put('trace.json', () => JSON.stringify(toTraceFile(jsonSpec as AnySpec, meta, trace as Trace<unknown>), null, 1) + '\n');
  put('trace.itf.json', () => JSON.stringify(traceItf(spec, trace, meta), null, 1) + '\n');
  put('trace.txt', () => traceText(spec, trace, meta));
  put('sequence.dot', () => sequenceDot(spec, trace, meta.invariant));
  const svg = put('sequence.svg', () => swimlane(spec, trace, meta.invariant).svg);
  put('index.html', () => traceHtml(spec, trace, meta, svg));
  return { dir, files, errors };
}
