/**
 * One worker of the parallel checker, whichever thread it runs in: an {@link Explorer} on the
 * shared fingerprint table and a {@link SharedFrontier}, driven level by level by the
 * coordinator (`coordinator.ts`) through {@link WorkerMessage}s. Worker 0 runs in the
 * coordinator's own thread (its spec is already built there and it can start at once); the
 * others run in worker threads (`worker.ts`).
 */
import { Explorer, type CheckOptions, type Finding } from '../core/explore.js';
import type { WorkerMessage, WorkerReply, WorkerSummary } from './protocol.js';
import { SharedFrontier, SharedTable, SharedVisitedSet, type SharedTableBuffers } from './shared.js';
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
  const frontier = new SharedFrontier<S>(table, spec.encode!, spec.decode!.bind(spec), workers);
  const x = new Explorer<S, A>(spec, options, { seen: new SharedVisitedSet(table, index, workers, options.maxStates), frontier });
  let reported = 0;

  const summary = (): WorkerSummary => {
    const findings: Finding[] = x.findings.slice(reported);
    reported = x.findings.length;
    return { size: x.seen.size, generated: x.generated, nextSize: x.nextSize, stopped: x.stopped, paused: x.paused, findings };
  };

  return (m: WorkerMessage): WorkerReply => {
    switch (m.type) {
      case 'seed':
        // Only the first worker seeds (it is then the only thread inserting); the others start at depth 0 too.
        if (index === 0) x.seed();
        else x.depth = 0;
        table.flush();
        // The first worker may have grown the table while seeding alone.
        return { type: 'seeded', summary: summary(), slots: table.buffers.slots };
      case 'advance':
        x.advance();
        return { type: 'advanced', summary: summary(), level: frontier.finished! };
      case 'join':
        // Joins a run the first worker began alone: at its depth, on its current table.
        x.depth = m.depth;
        if (m.slots !== table.buffers.slots) table.attach(m.slots);
        return { type: 'summary', summary: summary() };
      case 'open':
        frontier.open(m.levels);
        return { type: 'summary', summary: summary() };
      case 'table':
        table.attach(m.slots);
        return { type: 'summary', summary: summary() };
      case 'expand':
        x.expand(m.deadline);
        // The shared count is exact between phases (the coordinator sizes growths by it).
        table.flush();
        return { type: 'summary', summary: summary() };
      case 'probe': {
        const unseen = x.anyUnseenSuccessor();
        return { type: 'probed', unseen, summary: summary() };
      }
      case 'lookup':
        return { type: 'lookup', entry: [...x.lookup(m.gid)] as [number, number] };
      case 'stats':
        return {
          type: 'stats',
          coverage: [...x.coverage],
          sometimes: [...x.sometimesAt],
          levels: [...x.levels],
          bytes: x.bytes,
        };
      case 'load':
      case 'unload':
        // A worker thread's own business (`worker.ts`), before and after the run this handler is for.
        throw new Error(`internal error: '${m.type}' sent to a loaded worker's handler`);
    }
  };
}
