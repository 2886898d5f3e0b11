// kill -9 anywhere, same bytes: `generate`, `texture` and `ablate` as a user runs them (the CLI in
// a child process), each SIGKILLed halfway through a random write (checkpoint, trajectory append,
// snapshot, map, .glb, manifest…) and rerun: every file equals an uninterrupted run's, byte for
// byte, except manifest.json (it records wall-clock timings) and the ablation table's time
// column. Tiny profile, a few steps at 32²: CI time matters. (Carving: geometry/run-kill.test.ts.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildPool } from "../../../data-loaders/geometry/pool-build.js";
import { tempDir } from "../../helpers/tmp.js";
import { assertSameFiles, killPoints, killSeed, runKilledAt, runResumed } from "../../helpers/kill.js";
import { writesSoFar } from "../../../data-loaders/io/fault.js";
import { runGenerate } from "../../../data-loaders/generate/run.js";
import { runTextureStage } from "../../../data-loaders/texture/run.js";
import { runAblation } from "../../../data-loaders/texture/ablate.js";

const tmp = tempDir("dreamface-kill-");
const pool = join(tmp, "pool");
await buildPool({ out: pool, size: 3, chunkSize: 3, seed: 5, quiet: true });
const experiment = join(tmp, "exp.json");
writeFileSync(
  experiment,
  JSON.stringify({
    name: "kill",
    seed: 4,
    profile: "tiny",
    geometry: { carving: { steps: 4, checkpointEvery: 2, snapshotEvery: 2, renderSize: 32, normalMapSize: 16 }, hair: { enabled: false } },
    texture: { latent: { steps: 3, renderSize: 32 }, image: { steps: 3, renderSize: 32 }, pbr: { size: 32, glbTextureSize: 32 }, checkpointEvery: 2, snapshotEvery: 3 },
  }),
);
const seed = killSeed();
const [generateAt, textureAt, ablateAt] = [0, 1, 2].map((k) => (writes: number) => killPoints(seed + k, writes, 1)[0]!);

/**
 * Uninterrupted vs killed-at-a-random-write-then-rerun, for the command `args(out)`. Both use the
 * same --out (the uninterrupted result is moved aside), as files may record their own folder.
 */
async function killAndResume(name: string, inProcess: (out: string) => Promise<unknown>, args: (out: string) => string[], pick: (writes: number) => number): Promise<{ whole: string; killed: string; at: number }> {
  const killed = join(tmp, name), whole = join(tmp, `${name}-whole`);
  // The uninterrupted run in this process (no CLI start-up), counting its writes.
  const before = writesSoFar();
  await inProcess(killed);
  const writes = writesSoFar() - before;
  renameSync(killed, whole);
  const at = pick(writes);
  runKilledAt(args(killed), at, seed);
  runResumed(args(killed));
  return { whole, killed, at };
}

test(`generate: kill -9 at a random write, rerun → the same files (seed ${seed})`, async (t) => {
  const { whole, killed, at } = await killAndResume("generate", (out) => runGenerate({ prompt: "a kind face", pool, experiment, out, quiet: true }), (out) => ["generate", "a kind face", "--pool", pool, "--experiment", experiment, "--out", out], generateAt);
  t.diagnostic(`killed at write ${at}`);
  assert.ok(existsSync(join(killed, "texture", "asset.glb")));
  assertSameFiles(whole, killed, ["manifest.json"], seed);
});

test(`texture: kill -9 at a random write, rerun → the same files (seed ${seed})`, async (t) => {
  const geometry = join(tmp, "generate", "geometry");
  const { whole, killed, at } = await killAndResume("texture", (out) => runTextureStage({ runDir: geometry, experiment, out, quiet: true }), (out) => ["texture", geometry, "--experiment", experiment, "--out", out], textureAt);
  t.diagnostic(`killed at write ${at}`);
  assert.ok(existsSync(join(killed, "asset.glb")));
  assertSameFiles(whole, killed, ["manifest.json"], seed);
});

test(`ablate: kill -9 at a random write, rerun → the same files, the same table but its time column (seed ${seed})`, async (t) => {
  const geometry = join(tmp, "generate", "geometry");
  const args = (out: string) => ["ablate", geometry, "--variants", "wo-texture,wo-lt", "--experiment", experiment, "--map-size", "32", "--out", out];
  const inProcess = (out: string) => runAblation({ runDir: geometry, variants: ["wo-texture", "wo-lt"], experiment, overrides: { pbr: { size: 32 } }, out, quiet: true });
  const { whole, killed, at } = await killAndResume("ablate", inProcess, args, ablateAt);
  t.diagnostic(`killed at write ${at}`);
  assertSameFiles(whole, killed, ["manifest.json", "comparison.json"], seed);
  const table = (dir: string) => {
    const c = JSON.parse(readFileSync(join(dir, "comparison.json"), "utf8"));
    return { ...c, rows: c.rows.map(({ optimizeSeconds: _s, ...r }: Record<string, unknown>) => r) };
  };
  const w = table(whole);
  assert.deepEqual(table(killed), { ...w, rows: w.rows.map((r: { dir: string }) => ({ ...r, dir: r.dir.replace(whole, killed) })) });
});
