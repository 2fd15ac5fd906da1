/**
 * One worker of the parallel checker, whichever thread it runs in: an {@link Explorer} on the
 * shared fingerprint table, driven level by level by the coordinator in `coordinator.ts` through
 * {@link WorkerMessage}s. Worker 0 runs in the coordinator's own thread (its spec is already
 * built there and it can start at once); the others run in worker threads (`worker.ts`).
 */
import { Explorer, type CheckOptions, type Finding, type SharedParts } from '../core/explore.js';
import type { WorkerMessage, WorkerReply, WorkerSummary } from './protocol.js';
import { LevelWriter, SharedFrontier, SharedTable, SharedVisitedSet, type SharedTableBuffers } from './shared.js';
import type { Action, Spec } from '../core/spec.js';

/**
 * A worker's message handler: answers each coordinator message, synchronously.
 * @param index - this worker's index (0 seeds the run)
 * @param workers - how many workers share the table
 */
export function workerHandler<S, A extends Action>(
  spec: Spec<S, A>,
  options: CheckOptions,
  index: number,
  workers: number,
  buffers: SharedTableBuffers,
): (m: WorkerMessage) => WorkerReply {
  const table = new SharedTable(buffers);
  // Two level buffers, used in turn: the one written now, and the one the others read.
  const writers = [new LevelWriter(), new LevelWriter()];
  let w = 0;
  const parts: SharedParts<S> & { writer: LevelWriter; readonly frontier: SharedFrontier<S> } = {
    seen: new SharedVisitedSet(table, index, workers),
    writer: writers[0]!,
    frontier: new SharedFrontier(table, spec.decode!.bind(spec), workers),
  };
  const x = new Explorer<S, A>(spec, options, parts);
  let reported = 0;

  const summary = (): WorkerSummary => {
    const findings: Finding[] = x.findings.slice(reported);
    reported = x.findings.length;
    return { size: x.seen.size, generated: x.generated, nextSize: x.nextSize, stopped: x.stopped, paused: x.paused, findings };
  };

  return (m: WorkerMessage): WorkerReply => {
    let reply: WorkerReply;
    switch (m.type) {
      case 'seed':
        x.seed();
        table.flush();
        // The first worker may have grown the table while seeding alone.
        reply = { type: 'seeded', summary: summary(), slots: table.buffers.slots };
        break;
      case 'advance': {
        x.advance();
        const level = parts.writer.finish();
        w = 1 - w;
        writers[w]!.clear();
        parts.writer = writers[w]!;
        reply = { type: 'advanced', summary: summary(), level };
        break;
      }
      case 'join':
        // Joins a run the first worker began alone: at its depth, on its current table.
        x.depth = m.depth;
        if (m.slots !== table.buffers.slots) table.attach(m.slots);
        reply = { type: 'summary', summary: summary() };
        break;
      case 'open':
        parts.frontier.open(m.levels);
        reply = { type: 'summary', summary: summary() };
        break;
      case 'table':
        table.attach(m.slots);
        reply = { type: 'summary', summary: summary() };
        break;
      case 'expand':
        x.expand(m.deadline);
        // The shared count is exact between phases (the coordinator sizes growths by it).
        table.flush();
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
      case 'load':
      case 'unload':
        // A worker thread's own business (`worker.ts`), before and after the run this handler is for.
        throw new Error(`internal error: '${m.type}' sent to a loaded worker's handler`);
    }
    return reply;
  };
}
