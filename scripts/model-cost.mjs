// The GFS model's own functions timed apart from the engine (lab notes: docs/schema.md, "Where
// the time goes"). Usage: node scripts/model-cost.mjs DIR [K] [schema | floor]. DIR is a
// checkout with a built dist/ (npm run build); with `schema`, the model on the schema
// (model/schema/), else the packed model. A breadth-first search keyed by the encoding collects
// the first K states of MaxGrants=2 (default 150,000); then, three rounds each after one untimed
// round, it times: the actions of every state; actions and every successor; the same with each
// successor encoded; decoding every state from its words; every invariant on every state. It
// prints user CPU milliseconds a round.
//
// With `floor` in place of `schema`, the schema model with most of its successors' construction
// taken out after the states are collected: `State.with` returns the parent, and a set's `add`,
// `delete` and `map` return the set. The steps then compute wrong successors (never used but
// timed), and what `actions` still costs is the guards and the reads of the parent (plus what
// replacing prototype methods at run time may cost the JIT: docs/schema.md cross-checks it
// against a build with the construction taken out in the source).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = resolve(process.argv[2] ?? '.');
const K = Number(process.argv[3] ?? 150_000);
const floor = process.argv[4] === 'floor';
const onSchema = process.argv[4] === 'schema' || floor;
const { gfsSpec } = await import(pathToFileURL(`${dir}/dist/model/spec.js`).href);
const { gfsSchemaSpec } = onSchema ? await import(pathToFileURL(`${dir}/dist/model/schema/spec.js`).href) : {};
const { BASE_CONSTANTS } = await import(pathToFileURL(`${dir}/dist/model/state.js`).href);
const spec = (onSchema ? gfsSchemaSpec : gfsSpec)({ ...BASE_CONSTANTS, MaxGrants: 2, mutants: [] });

const words = [];
const sink = { int: (x) => void words.push(x), ints: (w) => { for (const x of w) words.push(x); } };
const encoded = (s) => {
  words.length = 0;
  spec.encode(s, sink);
  return Int32Array.from(words);
};

const states = [];
const seen = new Set();
let frontier = spec.initStates();
for (const s of frontier) seen.add(encoded(s).join());
while (frontier.length > 0 && states.length < K) {
  const next = [];
  for (const s of frontier) {
    states.push(s);
    for (const a of spec.actions(s)) {
      const t = spec.next(s, a);
      const k = encoded(t).join();
      if (!seen.has(k)) {
        seen.add(k);
        next.push(t);
      }
    }
  }
  frontier = next;
}
states.length = Math.min(states.length, K);
// The states as the engine expands them: decoded from their words.
const W = states.map(encoded);
const decoded = W.map((w) => spec.decode(w, 0, w.length));
if (floor) {
  const { BitSetValue } = await import(pathToFileURL(`${dir}/dist/checker/core/schema.js`).href);
  spec.g.State.with = (r) => r;
  for (const m of ['add', 'delete', 'map']) BitSetValue.prototype[m] = function () { return this; };
}

const none = { int() {}, ints() {} };
const time = (label, f) => {
  // One round untimed first: the first round of a phase pays for compiling it.
  f();
  const t0 = process.cpuUsage();
  for (let r = 0; r < 3; r++) f();
  console.log(`${label.padEnd(22)} ${(process.cpuUsage(t0).user / 3 / 1000).toFixed(0).padStart(6)} ms`);
};
console.log(`${dir}${floor ? ' (schema model, construction taken out)' : onSchema ? ' (schema model)' : ''}: ${states.length} states`);
time('actions', () => { for (const s of decoded) spec.actions(s); });
time('actions+next', () => { for (const s of decoded) for (const a of spec.actions(s)) spec.next(s, a); });
time('actions+next+encode', () => { for (const s of decoded) for (const a of spec.actions(s)) spec.encode(spec.next(s, a), none); });
time('decode', () => { for (const w of W) spec.decode(w, 0, w.length); });
time('invariants', () => { for (const s of decoded) for (const p of spec.invariants) p.check(s); });
