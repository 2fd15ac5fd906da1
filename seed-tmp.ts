import { findSeedExampleStaged } from './specs/scenarios.js';
const r = findSeedExampleStaged({ timeLimitMs: 120_000 });
console.log(r.kind, r.stageStates);
if (r.kind === 'found') { console.log(r.trace.states.length, r.reachedAt); console.log(r.trace.actions.map(a => `${a.name}(${a.args.join(',')})`).join(' ')); }
