// kill -9 anywhere, same bytes, for `dreamface animate`: the CLI in a child process SIGKILLs
// itself halfway through a random write (a tracking row or checkpoint of the stage loop, the
// .glb, weights.json, the manifest) and the same command is rerun: the animated .glb and every file of
// the run folder but manifest.json (wall-clock timings) equal an uninterrupted run's, byte for byte.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadFaceModel } from "../../../data-loaders/face/load.js";
import { sharedDir } from "../../../data-loaders/io/paths.js";
import { animate } from "../../../data-loaders/animation/animate.js";
import { writesSoFar } from "../../../data-loaders/io/fault.js";
import { faceGlbAsset } from "../../../src/engine/export/face-asset.js";
import { writeGlb } from "../../../src/engine/export/gltf.js";
import { tempDir } from "../../helpers/tmp.js";
import { assertSameFiles, killPoints, killSeed, runKilledAt, runResumed } from "../../helpers/kill.js";

const tmp = tempDir("dreamface-animate-kill-");
const asset = join(tmp, "face.glb");
writeFileSync(asset, writeGlb(faceGlbAsset(await loadFaceModel())));
const images = join(tmp, "frames");
mkdirSync(images);
for (const name of ["a.png", "b.png"]) copyFileSync(join(sharedDir()!, "faces", "astronaut.png"), join(images, name));

test(`animate: kill -9 at a random write, rerun → the same .glb and run files`, async (t) => {
  const seed = killSeed();
  t.diagnostic(`DREAMFACE_KILL_SEED=${seed}`);
  const runDir = join(tmp, "run"), out = join(tmp, "animated.glb");
  const before = writesSoFar();
  await animate({ asset, images, out, runDir });
  const writes = writesSoFar() - before;
  renameSync(runDir, join(tmp, "run-whole"));
  renameSync(out, join(tmp, "animated-whole.glb"));
  const at = killPoints(seed, writes, 1)[0]!;
  t.diagnostic(`killed at write ${at} of ${writes}`);
  const args = ["animate", asset, "--images", images, "--out", out, "--run-dir", runDir];
  runKilledAt(args, at, seed);
  runResumed(args);
  assert.ok(readFileSync(out).equals(readFileSync(join(tmp, "animated-whole.glb"))), `the .glb differs after kill + resume (DREAMFACE_KILL_SEED=${seed})`);
  assertSameFiles(join(tmp, "run-whole"), runDir, ["manifest.json"], seed);
});
