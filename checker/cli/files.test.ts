/** The CLI's file writes: atomic, never half a folder, every user-caused error a UsageError. */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratchDir } from '../fixtures/scratch.js';
import { UsageError } from './errors.js';
import { checkWritableDir, makeDirs, removeStaleReport, replaceDir, tempDirFor, writeFileAtomic } from './files.js';

describe('files', () => {
  it('writeFileAtomic replaces a file whole and leaves no temporary file', () => {
    const d = scratchDir('files');
    const f = join(d, 'a', 'b', 'x.txt');
    writeFileAtomic(f, 'one');
    writeFileAtomic(f, 'two');
    expect(readFileSync(f, 'utf8')).toBe('two');
    expect(readdirSync(join(d, 'a', 'b'))).toEqual(['x.txt']);
  });

  it('makeDirs does not loop under /proc, and names a file in the way', () => {
    expect(() => makeDirs('/proc/nope/deeper')).toThrow(UsageError);
    const d = scratchDir('files');
    writeFileSync(join(d, 'f'), '');
    expect(() => makeDirs(join(d, 'f'))).toThrow(/is a file, not a folder/);
    expect(() => makeDirs(join(d, 'f', 'g'))).toThrow(/ENOTDIR/);
    expect(() => checkWritableDir(join(d, 'f'))).toThrow(UsageError);
  });

  it('tempDirFor removes the temporary folders of a run that is gone, not those of one under way', () => {
    const d = scratchDir('files');
    mkdirSync(join(d, '.spec.tmp-999999999-abc'));
    mkdirSync(join(d, `.spec.tmp-${process.pid}-def`));
    const t = tempDirFor(join(d, 'spec'));
    expect(readdirSync(d).sort()).toEqual([`.spec.tmp-${process.pid}-def`, t.slice(d.length + 1)].sort());
  });

  it('replaceDir swaps a report folder whole, and refuses to replace what is not a report', () => {
    const d = scratchDir('files');
    const final = join(d, 'spec');
    mkdirSync(final);
    writeFileSync(join(final, 'trace.json'), '{"format":"leasecheck-trace"}');
    writeFileSync(join(final, 'old.txt'), '');
    const tmp = tempDirFor(final);
    writeFileSync(join(tmp, 'trace.json'), '{"format":"leasecheck-trace","new":1}');
    replaceDir(tmp, final);
    expect(readdirSync(final)).toEqual(['trace.json']);
    expect(readdirSync(d)).toEqual(['spec']);
    const mine = join(d, 'mine');
    mkdirSync(mine);
    writeFileSync(join(mine, 'notes.txt'), 'keep');
    expect(() => replaceDir(tempDirFor(mine), mine)).toThrow(/is not a leasecheck report folder/);
    expect(readFileSync(join(mine, 'notes.txt'), 'utf8')).toBe('keep');
    expect(readdirSync(d).sort()).toEqual(['mine', 'spec']);
    expect(removeStaleReport(mine)).toBe(false);
    expect(removeStaleReport(final)).toBe(true);
    expect(existsSync(final)).toBe(false);
  });
});
