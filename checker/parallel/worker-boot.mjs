// Starts a parallel-checking worker where TypeScript must load (running from sources, or a
// spec module written in TypeScript): registers tsx in this thread, then runs the worker.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
