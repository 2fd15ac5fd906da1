/**
 * Values of ordinary states as reports write them: a state may hold `Set`s, `Map`s, arrays
 * and records, and `JSON.stringify` would write a `Set` or a `Map` as `{}`. Three views:
 * - {@link toJsonValue}: the trace file's value, with a `Set` as `{"#set": [...]}` and a
 *   `Map` as `{"#map": [[k, v], ...]}` (the tags of the Informal Trace Format, so one reader
 *   understands both files); records and arrays stay JSON objects and arrays.
 * - {@link toItfValue}: the Informal Trace Format value (ADR-015 of Apalache): integers as
 *   `{"#bigint": "n"}`, sets `#set`, maps `#map`, arrays as sequences, records as objects.
 * - {@link formatValue}: a one-line readable form for diffs and tables (`{1, 2}` for a set,
 *   `(a ↦ 1, b ↦ 2)` for a map, `[1, 2]` for an array, `{x: 1}` for a record).
 * Elements of sets and keys of maps are ordered by their canonical text, so equal values
 * are always written the same way whatever their insertion order (reports stay byte for byte
 * deterministic).
 */

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Set) && !(v instanceof Map);

/** A canonical text of a value: equal values (sets and maps by content) give equal text. */
export function canonical(v: unknown): string {
  if (v instanceof Set) return `#set[${[...v].map(canonical).sort().join(',')}]`;
  if (v instanceof Map) return `#map[${[...v].map(([k, x]) => `${canonical(k)}:${canonical(x)}`).sort().join(',')}]`;
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isRecord(v)) return `{${Object.keys(v).map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  if (v === undefined) return 'undefined';
  if (typeof v === 'bigint') return `${v}n`;
  return JSON.stringify(v) ?? String(v);
}

const byCanonical = <T>(xs: readonly T[], key: (x: T) => unknown): T[] =>
  xs.map((x) => [canonical(key(x)), x] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, x]) => x);

/** The trace file's JSON value of `v` (sets and maps tagged as in ITF, elements in canonical order). */
export function toJsonValue(v: unknown): unknown {
  if (v instanceof Set) return { '#set': byCanonical([...v], (x) => x).map(toJsonValue) };
  if (v instanceof Map) return { '#map': byCanonical([...v], ([k]) => k).map(([k, x]) => [toJsonValue(k), toJsonValue(x)]) };
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (isRecord(v)) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) o[k] = toJsonValue(x);
    return o;
  }
  if (typeof v === 'bigint') return { '#bigint': String(v) };
  return v;
}

/** The Informal Trace Format value of `v`. */
export function toItfValue(v: unknown): unknown {
  if (v instanceof Set) return { '#set': byCanonical([...v], (x) => x).map(toItfValue) };
  if (v instanceof Map) return { '#map': byCanonical([...v], ([k]) => k).map(([k, x]) => [toItfValue(k), toItfValue(x)]) };
  if (Array.isArray(v)) return v.map(toItfValue);
  if (isRecord(v)) {
    // Already an ITF value (a spec's toITF, or a tagged trace-file value): keep it.
    if ('#bigint' in v || '#set' in v || '#map' in v || '#tup' in v || '#unserializable' in v) return v;
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) o[k] = toItfValue(x);
    return o;
  }
  if (typeof v === 'number') return Number.isInteger(v) ? { '#bigint': String(v) } : { '#unserializable': String(v) };
  if (typeof v === 'bigint') return { '#bigint': String(v) };
  if (v === null || v === undefined) return { '#unserializable': String(v) };
  return v;
}

/** A readable one-line form of `v`. */
export function formatValue(v: unknown): string {
  if (v instanceof Set) return `{${byCanonical([...v], (x) => x).map(formatValue).join(', ')}}`;
  if (v instanceof Map) return `(${byCanonical([...v], ([k]) => k).map(([k, x]) => `${formatValue(k)} ↦ ${formatValue(x)}`).join(', ')})`;
  if (Array.isArray(v)) return `[${v.map(formatValue).join(', ')}]`;
  if (isRecord(v)) {
    if ('#set' in v && Array.isArray(v['#set'])) return `{${(v['#set'] as unknown[]).map(formatValue).join(', ')}}`;
    if ('#map' in v && Array.isArray(v['#map'])) return `(${(v['#map'] as [unknown, unknown][]).map(([k, x]) => `${formatValue(k)} ↦ ${formatValue(x)}`).join(', ')})`;
    if ('#bigint' in v) return String(v['#bigint']);
    return `{${Object.entries(v).map(([k, x]) => `${/^[\w$]+$/.test(k) ? k : JSON.stringify(k)}: ${formatValue(x)}`).join(', ')}}`;
  }
  if (v === undefined) return 'undefined';
  if (typeof v === 'bigint') return String(v);
  return JSON.stringify(v) ?? String(v);
}

/**
 * The paths of `state` that `check` reads, as `field`, `field.sub` or `field[2]` (a `Set` or
 * a `Map` is recorded as a whole: its methods need the real object). Runs `check` once on a
 * read-recording proxy of the state; returns null when the state is not a plain object (a
 * spec with its own representation names what its properties read with a hook instead) or
 * when the check throws.
 */
export function recordReads(state: unknown, check: (s: unknown) => unknown): string[] | null {
  if (!isRecord(state)) return null;
  const reads = new Set<string>();
  const wrap = (v: unknown, path: string): unknown => {
    if (v === null || typeof v !== 'object' || v instanceof Set || v instanceof Map || ArrayBuffer.isView(v)) return v;
    return new Proxy(v as object, {
      get(target, key, receiver) {
        const x = Reflect.get(target, key, receiver);
        if (typeof key === 'symbol' || typeof x === 'function') return x;
        if (Array.isArray(target) && key === 'length') {
          reads.add(path);
          return x;
        }
        const sub = Array.isArray(target) && /^\d+$/.test(key) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
        reads.add(sub);
        return wrap(x, sub);
      },
      has(target, key) {
        if (typeof key === 'string') reads.add(Array.isArray(target) && /^\d+$/.test(key) ? `${path}[${key}]` : path ? `${path}.${key}` : key);
        return Reflect.has(target, key);
      },
      ownKeys(target) {
        if (path) reads.add(path);
        return Reflect.ownKeys(target);
      },
    });
  };
  try {
    check(wrap(state, ''));
  } catch {
    return null;
  }
  // A path whose longer path was also read is only a step on the way: keep the leaves.
  const all = [...reads];
  return all.filter((r) => !all.some((o) => o !== r && (o.startsWith(`${r}.`) || o.startsWith(`${r}[`)))).sort();
}
