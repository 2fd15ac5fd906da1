/**
 * A client: looks up the primary, pushes its data to every replica, asks the primary to
 * write, and retries or gives up on failure.
 *
 * Models GFS paper §3.1's write control flow (steps 1–7: ask the master, push data to all
 * replicas, send the write request to the primary, get the primary's reply; a failed write
 * is retried) and §2.7 (a client told "success" expects its data everywhere: `acked`).
 * Abstracted: the data itself, the cached lookup (every write asks the master again) and
 * real timeouts (`CTimeout` may fire at any time).
 *
 * Every client action requires `idx[c] <= W` (reading 4): a finished client receives
 * nothing. Moving on to the next write leaves `prim`, `secs` and `pushed` as they are (the
 * page resets only `idx`, `tries` and `phase`; `CLearn` overwrites the rest).
 */
import { except } from '../../checker/core/schema.js';
import { consume, send } from './network.js';
import { currentData, type G, type M, type S } from './state.js';

/** True while client `c` has a write to do (`idx[c] <= W`). */
const working = (g: G, s: S, c: number): boolean => s.idx[c]! <= g.W;

/** The replicas client `c` must push to: `{prim} ∪ secs`. */
export const targets = (s: S, c: number): S['secs'][number] => (s.prim[c] === null ? s.secs[c]! : s.secs[c]!.add(s.prim[c]!));

/** `CLookup`: `phase = Idle`; sends `LookupReq(c)`. */
export function cLookup(g: G, s: S, c: number): S | false {
  if (!(working(g, s, c) && s.phase[c] === 'Idle')) return false;
  return g.State.with(s, { phase: except(s.phase, c, 'Lookup'), msgs: send(s, { type: 'LookupReq', c }) });
}

/** `CLearn(LookupResp(c, p, secs))`: in `Lookup`, learns the primary and secondaries and starts pushing; otherwise drops the response. */
export function cLearn(g: G, s: S, m: M<'LookupResp'>): S | false {
  const { c } = m;
  if (!working(g, s, c)) return false;
  if (s.phase[c] !== 'Lookup') return g.State.with(s, { msgs: consume(s, m) });
  return g.State.with(s, {
    prim: except(s.prim, c, m.p),
    secs: except(s.secs, c, m.secs),
    pushed: except(s.pushed, c, g.none),
    phase: except(s.phase, c, 'Push'),
    msgs: consume(s, m),
  });
}

/** `CPush(r)`: `phase = Push`, `r ∈ ({prim} ∪ secs) \ pushed` (reading 5), `up[r]`; puts the data in `buf[r]`. */
export function cPush(g: G, s: S, c: number, r: number): S | false {
  if (!(working(g, s, c) && s.phase[c] === 'Push' && targets(s, c).has(r) && !s.pushed[c]!.has(r) && s.up[r])) return false;
  return g.State.with(s, { buf: except(s.buf, r, s.buf[r]!.add(currentData(g, s, c))), pushed: except(s.pushed, c, s.pushed[c]!.add(r)) });
}

/** `CWrite`: `phase = Push ∧ pushed = {prim} ∪ secs`; sends `WriteReq(prim, c, d, secs)`. */
export function cWrite(g: G, s: S, c: number): S | false {
  if (!(working(g, s, c) && s.phase[c] === 'Push' && s.pushed[c]!.equals(targets(s, c)))) return false;
  return g.State.with(s, {
    phase: except(s.phase, c, 'Write'),
    msgs: send(s, { type: 'WriteReq', to: s.prim[c]!, c, d: currentData(g, s, c), secs: s.secs[c]! }),
  });
}

/** `s` with client `c` moved on to its next write. */
const moveOn = (g: G, s: S, c: number): S => g.State.with(s, { idx: except(s.idx, c, s.idx[c]! + 1), tries: except(s.tries, c, 0), phase: except(s.phase, c, 'Idle') });

/** `s` after a failed attempt of client `c`: a retry while `tries < MaxRetries`, else it gives up on the write. */
const failed = (g: G, s: S, c: number): S =>
  s.tries[c]! < g.MaxRetries ? g.State.with(s, { tries: except(s.tries, c, s.tries[c]! + 1), phase: except(s.phase, c, 'Idle') }) : moveOn(g, s, c);

/** `CResult(WriteResp(c, d', ok))`: in `Write` with `d' = d`, success is acked and moves on; failure retries or gives up. Any other response is dropped. */
export function cResult(g: G, s: S, m: M<'WriteResp'>): S | false {
  const { c } = m;
  if (!working(g, s, c)) return false;
  const msgs = consume(s, m);
  if (!(s.phase[c] === 'Write' && g.Data.equals(m.d, currentData(g, s, c)))) return g.State.with(s, { msgs });
  // Two `with`s, not one over a merged patch (`{ ...failed(...), msgs }`): patches made by a
  // spread slowed the whole run by about 8% (docs/schema.md).
  if (!m.ok) return failed(g, g.State.with(s, { msgs }), c);
  return moveOn(g, g.State.with(s, { acked: s.acked.add(m.d), msgs }), c);
}

/** `CTimeout`: `phase ∈ {Lookup, Push, Write}`; as a failed `CResult`. */
export function cTimeout(g: G, s: S, c: number): S | false {
  return working(g, s, c) && s.phase[c] !== 'Idle' && failed(g, s, c);
}
