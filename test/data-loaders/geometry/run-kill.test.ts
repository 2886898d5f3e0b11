// A geometry run killed with SIGKILL mid-carving resumes from its last checkpoint to the same
// files as an uninterrupted run (the CLI end to end, as a user or a scheduler would see it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildPool } from "../../../data-loaders/geometry/pool-build.js";
import { tempDir } from "../../helpers/tmp.js";
import { killCliWhen, runCli } from "../../helpers/cli.js";

const tmp = tempDir("dreamface-geometry-kill-");

test("kill -9 during carving, rerun the same command: same meshes, map and trajectory", async () => {
  const pool = join(tmp, "pool");
  await buildPool({ out: pool, size: 3, chunkSize: 3, seed: 5, quiet: true });
  const experiment = join(tmp, "exp.json");
  writeFileSync(experiment, JSON.stringify({ seed: 9, geometry: { carving: { steps: 12, checkpointEvery: 3, snapshotEvery: 6, renderSize: 32, normalMapSize: 16 }, hair: { enabled: false } } }));
  const args = (out: string) => ["geometry", "a thin face", "--pool", pool, "--experiment", experiment, "--out", out];

  const whole = join(tmp, "whole");
  const w = runCli(args(whole));
  assert.equal(w.status, 0, w.stderr);

  const killed = join(tmp, "killed");
  const ckpt = join(killed, "checkpoints");
  await killCliWhen(args(killed), () => existsSync(ckpt) && readdirSync(ckpt).some((f) => f === "step-000006.ckpt"), "the run", 2);
  assert.ok(!existsSync(join(killed, "carved.glb")), "killed before the end");
  const r = runCli(args(killed));
  assert.equal(r.status, 0, r.stderr);
  for (const f of ["carved.glb", "carved.obj", "coarse.glb", "normal-map.png", "ranking.parquet", "beta.json", "snapshots/step-0012-render.png", "trajectory.jsonl", "trajectory.parquet"])
    assert.ok(readFileSync(join(whole, f)).equals(readFileSync(join(killed, f))), `${f} differs after kill + resume`);
});
