/**
 * `merge FILE...`: combines the shard files of a swarm (`fuzz NAME --shard i/K --out FILE`)
 * into one verdict (`merge.ts`); exit 0 when the swarm met its expectation, 1 when not.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TraceFile } from '../../report/tracefile.js';
import { defineCommand } from '../command.js';
import { EXIT, UsageError } from '../errors.js';
import { mergeShards, parseShardFile, renderMerged } from '../merge.js';

/** Writes a file whole (through a temporary name), its folder made first. */
function writeWhole(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path + '.tmp', text);
  renameSync(path + '.tmp', path);
}

/** `merge FILE...`. */
export const mergeCommand = defineCommand({
  command: 'merge [files..]',
  describe: 'combine swarm shard results (fuzz --shard) into one verdict; exit 0 when the expectation is met',
  positionals: { files: { type: 'string', array: true, default: [] as string[] } },
  options: {
    json: { type: 'boolean', default: false, describe: 'print the merged result as JSON' },
    out: { type: 'string', describe: 'write the merged result (JSON) to FILE' },
    trace: { type: 'string', describe: "write the shortest violation's trace file to FILE" },
  },
  load(a, { tool }) {
    if (a.files.length === 0) throw new UsageError(`merge needs shard files: '${tool} merge out/shard-*.json' (written by '${tool} fuzz NAME --shard i/K --out FILE').`);
    const shards = a.files.map((f) => {
      let text: string;
      try {
        text = readFileSync(f, 'utf8');
      } catch (e) {
        throw new UsageError(`cannot read the shard file ${f} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give the files that the shards wrote.`);
      }
      return parseShardFile(text, f, tool);
    });
    return { shards, files: a.files, json: a.json, out: a.out, trace: a.trace };
  },
  run(l) {
    const m = mergeShards(l.shards, l.files);
    if (l.out) writeWhole(l.out, JSON.stringify(m) + '\n');
    // No violation, no trace file: a job runner can test for the file to decide on a replay.
    if (l.trace && m.violation) writeWhole(l.trace, JSON.stringify(m.violation.trace as TraceFile, null, 1) + '\n');
    return { m, json: l.json, trace: l.trace };
  },
  render({ m, json, trace }, { io }) {
    io.out(json ? JSON.stringify(m) + '\n' : renderMerged(m) + (trace && m.violation ? `trace written to ${trace}\n` : ''));
    return m.met ? EXIT.ok : EXIT.failed;
  },
});
