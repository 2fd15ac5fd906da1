/**
 * Step diffs with immer's patches: each step of a trace is shown as the changes from the
 * state before to the state after (paths and values), which is what makes a 12-step trace
 * readable where a dump of every variable is not.
 */
import { enablePatches, produceWithPatches, type Patch } from 'immer';

enablePatches();

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Writes into `draft` only the leaves of `target` that differ, so immer's patches are fine-grained. */
function assignDiff(draft: Record<string, Json> | Json[], target: Record<string, Json> | Json[]): void {
  const d = draft as Record<string, Json>;
  const t = target as Record<string, Json>;
  if (Array.isArray(draft) && Array.isArray(target) && draft.length !== target.length) draft.length = target.length;
  for (const k of Object.keys(d)) if (!(k in t)) delete d[k];
  for (const [k, v] of Object.entries(t)) {
    const cur = d[k];
    // Arrays (sets, logs, messages in flight) change as a whole: one patch, described below
    // as what was added and removed; records recurse field by field.
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && cur !== null && typeof cur === 'object' && !Array.isArray(cur)) {
      assignDiff(cur as Record<string, Json>, v as Record<string, Json>);
    } else if (JSON.stringify(cur) !== JSON.stringify(v)) {
      d[k] = v;
    }
  }
}

/** The patches that turn JSON view `before` into `after`. */
export function diff(before: unknown, after: unknown): Patch[] {
  const [, patches] = produceWithPatches(before as Record<string, Json>, (draft) => {
    assignDiff(draft as Record<string, Json>, after as Record<string, Json>);
  });
  return patches;
}

/** One line per patch: `path = value`, `path removed`, or for an array `path: + added, - removed`. */
export function formatPatch(p: Patch, before?: unknown): string {
  const path = p.path.map((x, i) => (typeof x === 'number' ? `[${x}]` : i === 0 ? String(x) : `.${String(x)}`)).join('');
  if (p.op === 'remove') return `${path} removed`;
  let old: unknown = before;
  for (const k of p.path) old = old === null || typeof old !== 'object' ? undefined : (old as Record<string, unknown>)[k as string];
  if (Array.isArray(p.value) && Array.isArray(old)) {
    const was = old.map((x) => JSON.stringify(x));
    const now = p.value.map((x: unknown) => JSON.stringify(x));
    const added = now.filter((x) => !was.includes(x));
    const removed = was.filter((x) => !now.includes(x));
    if (added.length + removed.length > 0 && added.length + removed.length < now.length + was.length) {
      return `${path}: ${[...added.map((x) => `+ ${x}`), ...removed.map((x) => `- ${x}`)].join(', ')}`;
    }
  }
  return `${path} = ${JSON.stringify(p.value)}`;
}

/** The diff of two JSON views as readable lines. */
export function diffLines(before: unknown, after: unknown): string[] {
  return diff(before, after).map((p) => formatPatch(p, before));
}
