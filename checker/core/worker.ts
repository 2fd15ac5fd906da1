/**
 * A worker thread of the parallel checker: one {@link Explorer} owning the states whose
 * fingerprint falls to it, driven level by level by the coordinator in `parallel.ts`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Explorer, type Finding } from './explore.js';
import { Outbox } from './outbox.js';
import { loadSpec, type SpecRef, type WorkerMessage, type WorkerReply, type WorkerSummary } from './parallel.js';
import type { Action, Spec } from './spec.js';

const { ref, options, index, workers } = workerData as {
  ref: SpecRef;
  options: { invariants?: string[]; continueAfterViolation?: boolean; maxStates?: number; symmetry?: boolean; checkDeadlock?: boolean };
  index: number;
  workers: number;
};

const spec = (await loadSpec(ref)) as Spec<unknown, Action>;
const x = new Explorer(spec, options, index, workers);
const outboxes = Array.from({ length: workers }, () => new Outbox());
let reported = 0;

const summary = (): WorkerSummary => {
  const findings: Finding[] = x.findings.slice(reported);
  reported = x.findings.length;
  return { size: x.seen.size, generated: x.generated, queue: x.queue, nextSize: x.nextSize, stopped: x.stopped, findings };
};

const port = parentPort!;
port.on('message', (m: WorkerMessage) => {
  let reply: WorkerReply;
  switch (m.type) {
    case 'seed':
      x.seed();
      reply = { type: 'summary', summary: summary() };
      break;
    case 'advance':
      x.advance();
      reply = { type: 'summary', summary: summary() };
      break;
    case 'expand': {
      x.expand(outboxes, m.deadline);
      const boxes = outboxes.map((o, w) => (w === index || o.used === 0 ? null : o.data.slice(0, o.used)));
      for (const o of outboxes) o.reset();
      port.postMessage({ type: 'expanded', summary: summary(), boxes } satisfies WorkerReply, boxes.filter((b) => b !== null).map((b) => b!.buffer));
      return;
    }
    case 'absorb':
      for (const box of m.boxes) {
        if (x.stopped) break;
        x.absorb(box, box.length);
      }
      reply = { type: 'summary', summary: summary() };
      break;
    case 'lookup':
      reply = { type: 'lookup', entry: [...x.lookup(m.gid)] as [number, number] };
      break;
    case 'stats':
      reply = {
        type: 'stats',
        coverage: [...x.coverage],
        sometimes: [...x.sometimesAt],
        levels: [...x.levels],
        bytes: x.bytes,
      };
      break;
  }
  port.postMessage(reply);
});
port.postMessage({ type: 'ready' } satisfies WorkerReply);
