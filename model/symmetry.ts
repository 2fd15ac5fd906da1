/**
 * Symmetry reduction for the GFS lease model: chunkservers are interchangeable, and so are
 * clients (a client's data items move with it). The canonical representative of a state's
 * orbit is the permuted state that is least in (length, then word by word) order, over
 * every permutation of chunkservers and of clients.
 *
 * Models no part of the GFS paper: it is a reduction of the checker, sound because every
 * action, invariant and `sometimes` property treats chunkservers (and clients) alike: none
 * names a particular one. The master is not permuted.
 */
import { f1, f2, f3, f4, f5, Msg, mType, pack, type MsgType } from './network.js';
import { msgsStart, packPend, sortRun, pendC, pendD, pendOk, pendSn, pendV, pendWaiting, type GfsState, type Owned, type Params } from './state.js';

/** All permutations of `1..n`, each as an array `perm[i]` (index 0 unused, `perm[0] = 0`). */
export function permutations(n: number): number[][] {
  const out: number[][] = [];
  const cur = [0];
  const used = new Array<boolean>(n + 1).fill(false);
  const go = (): void => {
    if (cur.length === n + 1) {
      out.push([...cur]);
      return;
    }
    for (let i = 1; i <= n; i++) {
      if (used[i]) continue;
      used[i] = true;
      cur.push(i);
      go();
      cur.pop();
      used[i] = false;
    }
  };
  go();
  return out;
}

/** Maps a chunkserver bitmask through `pi`. */
function mapMask(mask: number, pi: readonly number[]): number {
  let out = 0;
  for (let cs = 1; mask >> (cs - 1); cs++) if (mask & (1 << (cs - 1))) out |= 1 << (pi[cs]! - 1);
  return out;
}

/** Maps a data-item bitmask through `dmap`. */
function mapData(mask: number, dmap: readonly number[]): number {
  let out = 0;
  for (let d = 0; mask >> d; d++) if (mask & (1 << d)) out |= 1 << dmap[d]!;
  return out;
}

/** A symmetry of one configuration: its permutations and the mapping of states. */
export class GfsSymmetry {
  private readonly perms: { pi: number[]; inv: number[]; sg: number[]; dmap: number[] }[] = [];

  constructor(private readonly p: Params) {
    const D = p.C * p.W;
    for (const pi of permutations(p.N)) {
      const inv = new Array<number>(p.N + 1).fill(0);
      for (let cs = 1; cs <= p.N; cs++) inv[pi[cs]!] = cs;
      for (const sg of permutations(p.C)) {
        // Data item (c, k) = (c - 1) * W + (k - 1) moves to (sg[c], k).
        const dmap: number[] = [];
        for (let d = 0; d < D; d++) dmap.push((sg[Math.floor(d / p.W) + 1]! - 1) * p.W + (d % p.W));
        this.perms.push({ pi, inv, sg, dmap });
      }
    }
  }

  /** How many permutations (chunkservers times clients) the canonicaliser tries. */
  get size(): number {
    return this.perms.length;
  }

  /** The canonical representative of `s`'s orbit. */
  canonicalize(s: GfsState): GfsState {
    const h = this.p.header;
    let best: GfsState = s;
    // perms[0] is the identity: start from the state itself. Permuting keeps the length,
    // so the header decides the order unless two headers are equal: the rest of a
    // permuted state is built only then, or when its header wins.
    for (let i = 1; i < this.perms.length; i++) {
      const t = this.header(s, i);
      const c = compare(t, best, h);
      if (c > 0) continue;
      this.rest(s, i, t);
      if (c < 0 || compare(t, best, t.length) < 0) best = t;
    }
    return best;
  }

  /** The state `s` with chunkservers and clients renamed by permutation number `i`. */
  apply(s: GfsState, i: number): Owned {
    const t = this.header(s, i);
    this.rest(s, i, t);
    return t;
  }

  /** The permuted header (fixed part) of `s`. */
  private header(s: GfsState, i: number): Owned {
    const p = this.p;
    const { pi, sg, dmap } = this.perms[i]!;
    const t: Owned = s.slice(0, p.header);
    const holder = s[p.mLeaseHolder]!;
    t[p.mLeaseHolder] = holder === 0 ? 0 : pi[holder]!;
    t[p.mCurrent] = mapMask(s[p.mCurrent]!, pi);
    t[p.acked] = mapData(s[p.acked]!, dmap);
    for (let cs = 1; cs <= p.N; cs++) {
      const to = pi[cs]!;
      t[p.clock + to] = s[p.clock + cs]!;
      t[p.up + to] = s[p.up + cs]!;
      t[p.ver + to] = s[p.ver + cs]!;
      t[p.leaseVer + to] = s[p.leaseVer + cs]!;
      t[p.leaseExp + to] = s[p.leaseExp + cs]!;
      t[p.buf + to] = mapData(s[p.buf + cs]!, dmap);
      t[p.logLen + to] = s[p.logLen + cs]!;
      t[p.pendLen + to] = s[p.pendLen + cs]!;
    }
    for (let c = 1; c <= p.C; c++) {
      const to = sg[c]!;
      t[p.phase + to] = s[p.phase + c]!;
      t[p.idx + to] = s[p.idx + c]!;
      t[p.tries + to] = s[p.tries + c]!;
      t[p.prim + to] = s[p.prim + c] === 0 ? 0 : pi[s[p.prim + c]!]!;
      t[p.secs + to] = mapMask(s[p.secs + c]!, pi);
      t[p.pushed + to] = mapMask(s[p.pushed + c]!, pi);
    }
    return t;
  }

  /** Appends the permuted variable part (logs, pend sets, messages) of `s` to `t`. */
  private rest(s: GfsState, i: number, t: Owned): void {
    const p = this.p;
    const { pi, inv, sg, dmap } = this.perms[i]!;
    // Variable parts in the new chunkserver order: logs, then pend sets, then messages.
    const logAt: number[] = [0];
    const pendAt: number[] = [0];
    let at = p.header;
    for (let cs = 1; cs <= p.N; cs++) {
      logAt.push(at);
      at += s[p.logLen + cs]!;
    }
    for (let cs = 1; cs <= p.N; cs++) {
      pendAt.push(at);
      at += s[p.pendLen + cs]!;
    }
    for (let to = 1; to <= p.N; to++) {
      const from = inv[to]!;
      for (let j = logAt[from]!, end = j + s[p.logLen + from]!; j < end; j++) {
        const e = s[j]!;
        const d1 = e & 31; // d + 1, 0 for ⊥
        t.push(d1 === 0 ? e : (e & ~31) | (dmap[d1 - 1]! + 1));
      }
    }
    for (let to = 1; to <= p.N; to++) {
      const from = inv[to]!;
      const start = t.length;
      for (let j = pendAt[from]!, end = j + s[p.pendLen + from]!; j < end; j++) {
        const e = s[j]!;
        t.push(packPend(pendV(e), pendSn(e), sg[pendC(e)]!, dmap[pendD(e)]!, mapMask(pendWaiting(e), pi), pendOk(e)));
      }
      sortRun(t, start);
    }
    const start = t.length;
    for (let j = msgsStart(s, p); j < s.length; j++) t.push(this.mapMessage(s[j]!, pi, sg, dmap));
    sortRun(t, start);
  }

  private mapMessage(m: number, pi: readonly number[], sg: readonly number[], dmap: readonly number[]): number {
    const t = mType(m) as MsgType;
    switch (t) {
      case Msg.LookupReq:
        return pack(t, sg[f1(m)]!);
      case Msg.LookupResp:
        return pack(t, sg[f1(m)]!, pi[f2(m)]!, mapMask(f3(m), pi));
      case Msg.Grant:
      case Msg.ExtendResp:
        return pack(t, pi[f1(m)]!, f2(m), 0, 0, f5(m));
      case Msg.Bump:
      case Msg.ExtendReq:
        return pack(t, pi[f1(m)]!, f2(m));
      case Msg.WriteReq:
        return pack(t, pi[f1(m)]!, sg[f2(m)]!, dmap[f3(m)]!, mapMask(f4(m), pi));
      case Msg.Apply:
        return pack(t, pi[f1(m)]!, pi[f2(m)]!, f3(m), f4(m), dmap[f5(m)]!);
      case Msg.ApplyAck:
        return pack(t, pi[f1(m)]!, pi[f2(m)]!, f3(m), f4(m), f5(m));
      case Msg.WriteResp:
        return pack(t, sg[f1(m)]!, dmap[f2(m)]!, f3(m));
      default:
        throw new Error(`unknown message type ${t}`);
    }
  }
}

/** Compares the first `n` words of two states of equal length: negative, 0 or positive. */
function compare(a: GfsState, b: GfsState, n: number): number {
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
