/**
 * Every file the CLI writes goes through here: a file is written to a temporary name beside
 * it and renamed into place (a reader sees the old file or the new one, never half of one),
 * a report folder is filled under a temporary name and swapped in whole, and every error a
 * user can cause (a file where a folder should be, no permission, a read-only or virtual
 * file system) is a {@link UsageError} that names the path and what is wrong with it.
 *
 * Folders are created one level at a time: Node's `mkdirSync(p, { recursive: true })` loops
 * forever on a path under `/proc` (Node 20), where `mkdir` answers ENOENT for an existing
 * parent.
 */
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from './errors.js';

const REASONS: Record<string, string> = {
  ENOTDIR: 'a file is in the way where a folder is needed',
  EEXIST: 'a file is in the way where a folder is needed',
  EISDIR: 'it is a folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'the name is too long',
  ENOENT: 'a folder on the way cannot be created there',
};

/** The user error for a failed write of `path`. */
export function writeError(e: unknown, path: string, what = 'write'): UsageError {
  const code = (e as NodeJS.ErrnoException).code;
  const reason = (code && REASONS[code]) ?? (e as Error).message;
  return new UsageError(`cannot ${what} ${path}: ${reason}${code ? ` (${code})` : ''}; choose a path in a folder you can write to.`);
}

/** Creates `dir` and its missing parents, one level at a time; a {@link UsageError} names what is in the way. */
export function makeDirs(dir: string): void {
  const full = resolve(dir);
  const missing: string[] = [];
  let p = full;
  for (;;) {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') throw writeError(e, dir, 'create the folder');
      if (code !== 'ENOENT') throw writeError(e, dir, 'create the folder');
    }
    if (st) {
      if (!st.isDirectory()) throw new UsageError(`cannot create the folder ${dir}: ${p} is a file, not a folder; choose a path in a folder you can write to.`);
      break;
    }
    missing.push(p);
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
  for (const m of missing.reverse()) {
    try {
      mkdirSync(m);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && statSync(m).isDirectory()) continue;
      throw writeError(e, dir, 'create the folder');
    }
  }
}

let counter = 0;
const tmpName = (path: string): string => join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${counter++}`);

/** Writes `data` to `path` atomically (temporary file + rename), creating the folder. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  makeDirs(dirname(path) || '.');
  const tmp = tmpName(path);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // never created
    }
    throw writeError(e, path);
  }
}

/** Makes sure `dir` exists and is writable, before anything is computed for it. */
export function checkWritableDir(dir: string): void {
  makeDirs(dir);
  try {
    rmSync(mkdtempSync(join(dir, '.leasecheck-probe-')), { recursive: true });
  } catch (e) {
    throw writeError(e, dir, 'write in');
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * A new empty folder beside `final`, to fill and then swap in with {@link replaceDir}. Its
 * name carries this process's id, so that the folders an interrupted run left (its process
 * gone) are removed here, and those of a run still under way are not.
 */
export function tempDirFor(final: string): string {
  const parent = dirname(final);
  makeDirs(parent);
  const prefix = `.${basename(final)}.tmp-`;
  try {
    for (const name of readdirSync(parent)) {
      const pid = name.startsWith(prefix) ? Number(name.slice(prefix.length).split('-')[0]) : NaN;
      if (Number.isInteger(pid) && pid > 0 && !alive(pid)) rmSync(join(parent, name), { recursive: true, force: true });
    }
    return mkdtempSync(join(parent, `${prefix}${process.pid}-`));
  } catch (e) {
    throw writeError(e, parent, 'write in');
  }
}

/**
 * Puts the filled folder `tmp` in place of `final`: the old `final` (a report of an earlier
 * run) is moved aside and removed, so the folder never mixes files of two runs.
 */
export function replaceDir(tmp: string, final: string): void {
  if (existsSync(final) && !isReport(final)) {
    rmSync(tmp, { recursive: true, force: true });
    throw new UsageError(`${final} is in the way of the report and is not a leasecheck report folder, so it is left as it is; move it, or choose another --report-dir.`);
  }
  let old: string | null = null;
  try {
    if (existsSync(final)) {
      old = `${tmp}.old`;
      renameSync(final, old);
    }
    renameSync(tmp, final);
  } catch (e) {
    if (old && !existsSync(final)) renameSync(old, final);
    rmSync(tmp, { recursive: true, force: true });
    throw writeError(e, final, 'replace the folder');
  }
  if (old) rmSync(old, { recursive: true, force: true });
}

/** True when `dir` is a folder that a leasecheck run wrote (a mark, or a leasecheck trace.json). */
function isReport(dir: string): boolean {
  try {
    if (!statSync(dir).isDirectory()) return false;
  } catch {
    return false;
  }
  if (existsSync(join(dir, REPORT_MARK))) return true;
  try {
    return readFileSync(join(dir, 'trace.json'), 'utf8').includes('"leasecheck-trace"');
  } catch {
    return false;
  }
}

/** The file that marks a folder as a leasecheck report (so a later run may replace or remove it). */
export const REPORT_MARK = '.leasecheck-report';

/** Removes the folder `dir` when it holds a leasecheck report (its `trace.json` says so); returns whether it did. */
export function removeStaleReport(dir: string): boolean {
  if (!isReport(dir)) return false;
  try {
    rmSync(dir, { recursive: true });
  } catch (e) {
    throw writeError(e, dir, 'remove the stale report');
  }
  return true;
}
