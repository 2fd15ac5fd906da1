import { findSeedExample } from './specs/scenarios.js';
const t0 = Date.now();
const r = findSeedExample({ timeLimitMs: 240_000, onEvent: (e) => { if (e.type === 'level' && e.depth % 5 === 0) console.log(e.depth, e.newStates, ((Date.now()-t0)/1000).toFixed(1)); } });
console.log(r.kind, r.stats.distinctStates, r.stats.depth, r.stats.seconds);
if (r.kind === 'found') { console.log(r.trace.states.length, r.reachedAt); console.log(r.trace.actions.map(a => `${a.name}(${a.args.join(',')})`).join(' ')); }
