/**
 * The network: a set of messages in flight (GFS paper §3.1's control messages between
 * master, clients and chunkservers). Sending a message already in flight changes nothing;
 * messages are delayed, reordered or lost (`Lose`), never duplicated. Every receive action
 * removes the message it handles.
 */
import type { G, Msg, S } from './state.js';

/** The state's messages with `m` sent. */
export const send = (s: S, m: Msg): S['msgs'] => s.msgs.add(m);

/** The state's messages with `m` handled (removed). */
export const consume = (s: S, m: Msg): S['msgs'] => s.msgs.delete(m);

/** The state's messages with `m` handled and `r` sent in answer. */
export const reply = (s: S, m: Msg, r: Msg): S['msgs'] => s.msgs.delete(m).add(r);

/** True when a message of type `type` addressed to `to` is in flight. */
export const inFlightTo = (s: S, type: 'Grant' | 'Bump' | 'ExtendResp' | 'WriteReq' | 'Apply' | 'ApplyAck', to: number): boolean =>
  s.msgs.variant(type).some((m) => m.to === to);

/** True when a message of one of the types `types` is in flight. */
export const inFlight = (s: S, types: readonly Msg['type'][]): boolean => types.some((t) => s.msgs.variant(t).length > 0);

/** `Lose(m)` for each message `m` in flight: `losses < MaxLoss`; the network drops `m`. */
export const lose = (g: G, s: S): S[] | false =>
  s.losses < g.MaxLoss && s.msgs.toArray().map((m) => g.State.with(s, { msgs: consume(s, m), losses: s.losses + 1 }));
