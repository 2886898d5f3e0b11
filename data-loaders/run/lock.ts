// One writer per run folder: `<dir>/.lock` holds the writing process's pid. A second process
// refuses in one line instead of interleaving its checkpoints and files with the first's; a
// lock left by a dead process (kill -9) is taken over, so resuming needs no manual cleanup.
// The lock is created with link(2) from a finished temporary file, so it never exists empty.
import { linkSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../cli/errors.js";

export const LOCK_FILE = ".lock";

/** Locks this process holds: path → reentrant count (a stage may re-open its own folder). */
const held = new Map<string, number>();
let exitHook = false;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by someone else
  }
}

function ownerOf(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, "utf8"), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function tryCreate(path: string): boolean {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${process.pid}\n`);
  try {
    linkSync(tmp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Takes `<dir>/.lock` for this process, or throws a UserError naming the live process that
 * holds it. Returns the release function; every lock still held is released at exit.
 */
export function lockRunDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  const release = () => releaseLock(path);
  if (held.has(path)) {
    held.set(path, held.get(path)! + 1);
    return release;
  }
  for (let attempt = 0; !tryCreate(path); attempt++) {
    const owner = ownerOf(path);
    if (owner !== undefined && owner !== process.pid && alive(owner))
      throw new UserError(`${dir} is being written by another dreamface process (pid ${owner}): wait for it to finish, or use another --out`);
    if (attempt >= 3) throw new UserError(`${dir}: cannot take its lock file ${path}; delete it if no dreamface process is running`);
    // Stale (dead owner, or our own pid left by a reused pid): move it aside, then try again.
    try {
      renameSync(path, `${path}.stale.${process.pid}`);
      rmSync(`${path}.stale.${process.pid}`, { force: true });
    } catch {
      // another process moved it first; the next attempt sees what that process did
    }
  }
  held.set(path, 1);
  sweepTemporaries(dir);
  if (!exitHook) {
    exitHook = true;
    process.once("exit", () => {
      for (const p of held.keys()) if (ownerOf(p) === process.pid) rmSync(p, { force: true });
    });
  }
  return release;
}

function releaseLock(path: string): void {
  const n = held.get(path);
  if (n === undefined) return;
  if (n > 1) return void held.set(path, n - 1);
  held.delete(path);
  if (ownerOf(path) === process.pid) rmSync(path, { force: true });
}

/** `.<name>.<pid>.tmp` files (io/atomic.ts) of dead processes: a kill mid-write left them; the lock holder removes them. */
function sweepTemporaries(dir: string, depth = 3): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (depth > 1) sweepTemporaries(path, depth - 1);
    } else {
      const m = /^\..+\.(\d+)\.tmp$/.exec(entry.name);
      if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) rmSync(path, { force: true });
    }
  }
}
