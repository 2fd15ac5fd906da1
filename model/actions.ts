/**
 * The GFS model's actions as values: the action kinds and their names (the design page's),
 * the {@link GfsAction} the explorer enumerates, and the formatting of packed messages, data
 * items and chunkserver sets that action labels and views share. Below `spec.ts`, `views.ts`
 * and `timeline.ts`, which all read it, so that none of them imports another in a circle.
 */
import type { Action, ActionArg } from '../checker/core/spec.js';
import { f1, f2, f3, f4, f5, Msg, mType } from './network.js';
import { csMembers, dataItem, pendC, pendD, pendOk, pendSn, pendV, pendWaiting, type Params } from './state.js';

/** Action kinds; `K.name` is the action's name. */
export const K = {
  Tick: 0,
  MGrant: 1,
  MReport: 2,
  MCrash: 3,
  MRestart: 4,
  CRequestExtend: 5,
  PReply: 6,
  PTimeout: 7,
  CCrash: 8,
  CRestart: 9,
  CLookup: 10,
  CPush: 11,
  CWrite: 12,
  CTimeout: 13,
  MLookup: 14,
  CLearn: 15,
  CGrant: 16,
  CBump: 17,
  MExtend: 18,
  CExtended: 19,
  PWrite: 20,
  SApply: 21,
  PAck: 22,
  CResult: 23,
  Lose: 24,
  MReplicate: 25,
} as const;

/** The action names, by kind. */
export const KIND_NAMES = Object.keys(K) as (keyof typeof K)[];

/** Formats a chunkserver bitmask as `{1,2}`. */
export const fmtSet = (mask: number): string => `{${csMembers(mask).join(',')}}`;

/** Formats a data index as `(c,k)`. */
export function fmtData(p: Params, d: number): string {
  const [c, k] = dataItem(p, d);
  return `(${c},${k})`;
}

/** Formats a packed message, e.g. `Grant(1, 2, 3)`. */
export function fmtMsg(p: Params, m: number): string {
  const a = f1(m);
  switch (mType(m)) {
    case Msg.LookupReq:
      return `LookupReq(${a})`;
    case Msg.LookupResp:
      return `LookupResp(${a}, ${f2(m)}, ${fmtSet(f3(m))})`;
    case Msg.Grant:
      return `Grant(${a}, ${f2(m)}, ${f5(m)})`;
    case Msg.Bump:
      return `Bump(${a}, ${f2(m)})`;
    case Msg.ExtendReq:
      return `ExtendReq(${a}, ${f2(m)})`;
    case Msg.ExtendResp:
      return `ExtendResp(${a}, ${f2(m)}, ${f5(m)})`;
    case Msg.WriteReq:
      return `WriteReq(${a}, ${f2(m)}, ${fmtData(p, f3(m))}, ${fmtSet(f4(m))})`;
    case Msg.Apply:
      return `Apply(${a}, ${f2(m)}, ${f3(m)}, ${f4(m)}, ${fmtData(p, f5(m))})`;
    case Msg.ApplyAck:
      return `ApplyAck(${a}, ${f2(m)}, ${f3(m)}, ${f4(m)}, ${f5(m) === 1})`;
    case Msg.WriteResp:
      return `WriteResp(${a}, ${fmtData(p, f2(m))}, ${f3(m) === 1})`;
    default:
      return `Unknown(${m})`;
  }
}

/**
 * An action of the GFS model. Its identity is `(kind, node, x)`: the acting node (0 for
 * the master) and a packed operand (a message, a `pend` entry or a chunkserver). Its
 * readable arguments are computed only when asked for, so that the explorer's hot loop
 * builds no strings.
 */
export class GfsAction implements Action {
  private cached: readonly ActionArg[] | undefined;
  constructor(
    /** The action kind (an index into the action names). */
    readonly kind: number,
    /** The acting node: 0 for the master, a chunkserver or a client id. */
    readonly node: number,
    /** The operand: a packed message, a packed `pend` entry, a chunkserver, or 0. */
    readonly x: number,
    private readonly p: Params,
  ) {}

  /** The action's name as the design page spells it. */
  get name(): string {
    return KIND_NAMES[this.kind]!;
  }

  /** The action's arguments as the design page writes them (message fields for receives). */
  get args(): readonly ActionArg[] {
    return (this.cached ??= this.computeArgs());
  }

  private computeArgs(): ActionArg[] {
    const { node, x, p } = this;
    switch (this.kind) {
      case K.Tick:
        return [node === 0 ? 'M' : node];
      case K.MCrash:
      case K.MRestart:
        return [];
      case K.PReply:
      case K.PTimeout:
        return [node, `(${pendV(x)}, ${pendSn(x)}, ${pendC(x)}, ${fmtData(p, pendD(x))}, ${fmtSet(pendWaiting(x))}, ${pendOk(x)})`];
      case K.CPush:
        return [node, x];
      case K.MGrant:
      case K.MReport:
        return [x];
      case K.MReplicate:
        return [x >> 5, x & 31];
      case K.CRequestExtend:
      case K.CCrash:
      case K.CRestart:
      case K.CLookup:
      case K.CWrite:
      case K.CTimeout:
        return [node];
      default:
        return [fmtMsg(p, x)];
    }
  }
}

