// kill -9 anywhere, same bytes, for `dreamface texture-ldm train` (issue 13 item 2): the CLI in a
// child process SIGKILLs itself halfway through a random write (run config, checkpoint,
// trajectory append, weights.bin, model.json; data-loaders/io/fault.ts), is rerun, and every file
// of the run folder equals an uninterrupted run's byte for byte. Tiny profile, the `full` variant
// (UNet weights and C_d, C_u both trained), a few steps on a 16² dataset: CI time matters.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, renameSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/tmp.js";
import { writeNoiseDataset } from "../../test/helpers/ldm-dataset.js";
import { assertSameFiles, killPoints, killSeed, runKilledAt, runResumed } from "../../test/helpers/kill.js";
import { writesSoFar } from "../io/fault.js";
import { createNodeBackend } from "../models/backend-node.js";
import { runTrainCommand } from "./train.js";

const tmp = tempDir("ldm-kill-");
const data = writeNoiseDataset(join(tmp, "data"), 16);
const seed = killSeed();

test(`texture-ldm train: kill -9 at a random write, rerun → the same files (seed ${seed})`, async (t) => {
  // The tiny models are built before counting (the CLI child finds them built).
  const backend = await createNodeBackend({ profile: "tiny" });
  await backend.session("unet");
  await backend.dispose();
  const killed = join(tmp, "run"), whole = join(tmp, "run-whole");
  const options = { variant: "full" as const, data, profile: "tiny", steps: 6, batch: 2, seed: 3 };
  const before = writesSoFar();
  assert.deepEqual(await runTrainCommand({ ...options, out: killed }), { dir: killed, complete: true });
  const writes = writesSoFar() - before;
  assert.ok(!existsSync(join(killed, ".lock")), "the folder's lock is released when training returns");
  renameSync(killed, whole); // both runs use the same --out: files may record their folder
  const at = killPoints(seed, writes, 1)[0]!;
  t.diagnostic(`killed at write ${at} of ${writes}`);
  const args = ["texture-ldm", "train", "--variant", "full", "--data", data, "--out", killed, "--steps", "6", "--batch", "2", "--seed", "3", "--profile", "tiny"];
  runKilledAt(args, at, seed);
  runResumed(args);
  for (const f of ["weights.bin", "model.json", "trajectory.jsonl"]) assert.ok(existsSync(join(killed, f)), f);
  assertSameFiles(whole, killed, [], seed);
});
