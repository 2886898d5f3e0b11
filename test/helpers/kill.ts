// kill -9 at a random write, then resume: the CLI in a child process SIGKILLs itself halfway
// through its n-th write (data-loaders/io/fault.ts), n drawn from a seeded RNG over the writes
// an uninterrupted run makes (counted in the test's own process with writesSoFar). The seed is
// printed; DREAMFACE_KILL_SEED=<seed> replays a failure.
import { spawnSync } from "node:child_process";
import assert from "node:assert/strict";
import { cliPath } from "./cli.js";
import { filesOf } from "./files.js";

export { filesOf };

export interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function cli(args: readonly string[], env: Record<string, string>): Run {
  const r = spawnSync(process.execPath, [cliPath, ...args], { encoding: "utf8", env: { ...process.env, ...env }, timeout: 300_000 });
  return { status: r.status, signal: r.signal, stderr: r.stderr };
}

/** The kill seed: DREAMFACE_KILL_SEED, else fresh each run (so CI explores new points). */
export function killSeed(): number {
  const env = process.env.DREAMFACE_KILL_SEED;
  return env !== undefined ? Number(env) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
}

/** mulberry32: n in [1, max]. */
export function killPoints(seed: number, max: number, count: number): number[] {
  let a = seed;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out.push(1 + (((t ^ (t >>> 14)) >>> 0) % max));
  }
  return out;
}

/** Runs the command until it kills itself mid-way through write `n` (asserts it really died by SIGKILL). */
export function runKilledAt(args: readonly string[], n: number, seed: number): void {
  const r = cli(args, { DREAMFACE_KILL_AT_WRITE: String(n) });
  assert.equal(r.signal, "SIGKILL", `expected a SIGKILL at write ${n} (DREAMFACE_KILL_SEED=${seed}); status ${r.status}: ${r.stderr}`);
}

/** Resumes (same command, no fault) to completion. */
export function runResumed(args: readonly string[]): void {
  const r = cli(args, {});
  assert.equal(r.status, 0, r.stderr);
}

/** Every file under `dir` (relative path → bytes), except names in `skip` (any depth). */

/** The same set of files with the same bytes (`skip`: names compared elsewhere or by design different). */
export function assertSameFiles(whole: string, resumed: string, skip: readonly string[], seed: number): void {
  const a = filesOf(whole, skip), b = filesOf(resumed, skip);
  assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort(), `same files after kill + resume (DREAMFACE_KILL_SEED=${seed})`);
  for (const [name, bytes] of a) assert.ok(bytes.equals(b.get(name)!), `${name} differs after kill + resume (DREAMFACE_KILL_SEED=${seed})`);
}
