// One writer per run folder: a second process refuses in one line while the first runs; a lock
// left by a dead process is taken over (what resuming after kill -9 relies on).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildPool } from "../../../data-loaders/geometry/pool-build.js";
import { LOCK_FILE, lockRunDir } from "../../../data-loaders/run/lock.js";
import { UserError } from "../../../data-loaders/cli/errors.js";
import { tempDir } from "../../helpers/tmp.js";
import { cliPath } from "../../helpers/cli.js";

const tmp = tempDir("dreamface-lock-");

test("lockRunDir: reentrant in one process, released by its last holder", () => {
  const dir = join(tmp, "own");
  const a = lockRunDir(dir), b = lockRunDir(dir);
  assert.equal(readFileSync(join(dir, LOCK_FILE), "utf8").trim(), String(process.pid));
  b();
  assert.ok(existsSync(join(dir, LOCK_FILE)), "still held by the outer claim");
  a();
  assert.ok(!existsSync(join(dir, LOCK_FILE)));
});

test("lockRunDir: a lock whose pid has exited is taken over; a live one is refused", () => {
  const dir = join(tmp, "stale");
  const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  const deadPid = Number(dead.stdout);
  lockRunDir(dir)(); // creates the folder
  writeFileSync(join(dir, LOCK_FILE), `${deadPid}\n`);
  const release = lockRunDir(dir);
  assert.equal(readFileSync(join(dir, LOCK_FILE), "utf8").trim(), String(process.pid), "taken over");
  release();
  writeFileSync(join(dir, LOCK_FILE), `${process.ppid}\n`); // alive (the test runner), not us
  assert.throws(() => lockRunDir(dir), (e: unknown) => e instanceof UserError && new RegExp(`another dreamface process \\(pid ${process.ppid}\\)`).test((e as Error).message));
  assert.deepEqual(readdirSync(dir).sort(), [LOCK_FILE], "no temporary files left behind");
});

test("two CLI processes on one run folder: the second refuses in one line (exit 2), the first is untouched", async () => {
  const pool = join(tmp, "pool");
  await buildPool({ out: pool, size: 3, chunkSize: 3, seed: 5, quiet: true });
  const experiment = join(tmp, "exp.json");
  writeFileSync(experiment, JSON.stringify({ seed: 9, geometry: { carving: { steps: 5000, checkpointEvery: 2, snapshotEvery: 5000, renderSize: 16, normalMapSize: 8 }, hair: { enabled: false } } }));
  const out = join(tmp, "run");
  const args = ["geometry", "a thin face", "--pool", pool, "--experiment", experiment, "--out", out];
  const first = spawn(process.execPath, [cliPath, ...args], { stdio: "ignore" });
  const exited = new Promise((r) => first.once("exit", r));
  try {
    // Wait until the first process is carving (it has checkpointed), so the folder is in use.
    const ckpt = join(out, "checkpoints");
    for (let i = 0; i < 3000 && !(existsSync(ckpt) && readdirSync(ckpt).length > 0); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(existsSync(ckpt), "the first process started carving");
    // Without a lock the second would carve for minutes: a time limit makes that a failure.
    const second = spawnSync(process.execPath, [cliPath, ...args], { encoding: "utf8", timeout: 60_000 });
    assert.equal(second.status, 2, second.stderr);
    const lines = second.stderr.trim().split("\n");
    assert.equal(lines.length, 1, second.stderr);
    assert.match(lines[0]!, new RegExp(`${out.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is being written by another dreamface process \\(pid ${first.pid}\\)`));
    assert.equal(first.exitCode, null, "the first process still runs");
  } finally {
    first.kill("SIGKILL");
    await exited;
  }
});
