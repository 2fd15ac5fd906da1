/**
 * Step diffs: each step of a trace is shown as what changed from the state before to the
 * state after, which makes a 12-step trace readable where a dump of every variable is not.
 * The diff follows the structure of the values: records field by field, `Map`s key by key,
 * arrays index by index when only elements changed in place (`pc[1] = "checked"`), and as
 * elements added and removed when the array grew or shrank or a `Set` changed
 * (`msgs: + {...}, - {...}`). Written without immer: a state may hold `Set`s and `Map`s.
 */
import { canonical, formatValue } from './values.js';

/** One change: the path (`pc[1]`, `clock.M`, `owner["k"]`), and its kind. */
export interface Change {
  readonly path: string;
  /** `set`: the value at path is now `value`; `removed`: the path is gone; `elements`: a collection gained and lost elements. */
  readonly op: 'set' | 'removed' | 'elements';
  readonly value?: unknown;
  readonly added?: readonly unknown[];
  readonly removedElements?: readonly unknown[];
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Set) && !(v instanceof Map);

const field = (path: string, k: string): string => (path === "" ? k : /^[\w$]+$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`);

/** Multiset difference by canonical text, keeping the order of each side. */
function elements(before: readonly unknown[], after: readonly unknown[]): { added: unknown[]; removed: unknown[] } {
  const count = new Map<string, number>();
  for (const x of before) count.set(canonical(x), (count.get(canonical(x)) ?? 0) + 1);
  const added: unknown[] = [];
  for (const x of after) {
    const k = canonical(x);
    const n = count.get(k) ?? 0;
    if (n > 0) count.set(k, n - 1);
    else added.push(x);
  }
  const left = new Map<string, number>();
  for (const x of after) left.set(canonical(x), (left.get(canonical(x)) ?? 0) + 1);
  const removed: unknown[] = [];
  for (const x of before) {
    const k = canonical(x);
    const n = left.get(k) ?? 0;
    if (n > 0) left.set(k, n - 1);
    else removed.push(x);
  }
  return { added, removed };
}

/** Whether `b` reads as `a` changed in place (see the array case of {@link diff}). */
function similar(a: unknown, b: unknown): boolean {
  if (canonical(a) === canonical(b)) return true;
  const scalar = (x: unknown): boolean => x === null || typeof x !== 'object';
  if (scalar(a) && scalar(b)) return true;
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length || !ka.every((k) => k in b)) return false;
    return ka.filter((k) => canonical(a[k]) !== canonical(b[k])).length * 2 <= ka.length;
  }
  return false;
}

/** The changes that turn `before` into `after`. */
export function diff(before: unknown, after: unknown, path = ''): Change[] {
  if (canonical(before) === canonical(after)) return [];
  if (isRecord(before) && isRecord(after)) {
    const out: Change[] = [];
    for (const k of Object.keys(before)) if (!(k in after)) out.push({ path: field(path, k), op: 'removed' });
    for (const [k, v] of Object.entries(after)) out.push(...(k in before ? diff(before[k], v, field(path, k)) : [{ path: field(path, k), op: 'set' as const, value: v }]));
    return out;
  }
  if (before instanceof Map && after instanceof Map) {
    const out: Change[] = [];
    const key = (k: unknown): string => `${path}[${formatValue(k)}]`;
    for (const k of before.keys()) if (!after.has(k)) out.push({ path: key(k), op: 'removed' });
    for (const [k, v] of after) out.push(...(before.has(k) ? diff(before.get(k), v, key(k)) : [{ path: key(k), op: 'set' as const, value: v }]));
    return out;
  }
  if (before instanceof Set && after instanceof Set) {
    const { added, removed } = elements([...before], [...after]);
    return [{ path, op: 'elements', added, removedElements: removed }];
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    // Same length: a sequence whose elements changed in place (a program counter per
    // process, a log whose entry was rewritten), followed index by index.
    // Elements are compared in place only when each changed one is recognisably the same
    // element changed (a scalar, or a record with the same fields, at most half of them
    // changed): a set kept as a sorted array that lost one message and gained another is
    // shown as that, not as fields rewritten at shifted indices.
    if (before.length === after.length && before.every((x, i) => similar(x, after[i]))) {
      return before.flatMap((x, i) => diff(x, after[i], `${path}[${i}]`));
    }
    const { added, removed } = elements(before, after);
    // An array that only grew or shrank at its end (a log appended to): by index.
    const n = Math.min(before.length, after.length);
    if (before.slice(0, n).every((x, i) => canonical(x) === canonical(after[i]))) {
      return after.length > before.length
        ? after.slice(n).map((x, i) => ({ path: `${path}[${n + i}]`, op: 'set' as const, value: x }))
        : before.slice(n).map((_, i) => ({ path: `${path}[${n + i}]`, op: 'removed' as const }));
    }
    return [{ path, op: 'elements', added, removedElements: removed }];
  }
  return [{ path, op: 'set', value: after }];
}

/** One line per change: `path = value`, `path removed`, or `path: + added, - removed`. */
export function formatChange(c: Change): string {
  // A state that is a scalar or a collection itself has the empty path.
  if (c.path === '') c = { ...c, path: '(state)' };
  if (c.op === 'removed') return `${c.path} removed`;
  if (c.op === 'set') return `${c.path} = ${formatValue(c.value)}`;
  return `${c.path}: ${[...(c.added ?? []).map((x) => `+ ${formatValue(x)}`), ...(c.removedElements ?? []).map((x) => `- ${formatValue(x)}`)].join(', ')}`;
}

/** The diff of two state views as readable lines. */
export function diffLines(before: unknown, after: unknown): string[] {
  return diff(before, after).map(formatChange);
}
