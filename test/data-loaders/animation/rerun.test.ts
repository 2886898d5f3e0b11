// `animate` twice in one run folder: the second run reuses the tracking the stage loop
// checkpointed (no frame tracked again, no browser started) and writes the same .glb byte for byte.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadFaceModel } from "../../../data-loaders/face/load.js";
import { sharedDir } from "../../../data-loaders/io/paths.js";
import { animate } from "../../../data-loaders/animation/animate.js";
import { faceGlbAsset } from "../../../src/engine/export/face-asset.js";
import { writeGlb } from "../../../src/engine/export/gltf.js";
import { tempDir } from "../../helpers/tmp.js";

const astronaut = join(sharedDir()!, "faces", "astronaut.png");
const tmp = tempDir("dreamface-rerun-");
const assetPath = join(tmp, "face.glb");
writeFileSync(assetPath, writeGlb(faceGlbAsset(await loadFaceModel())));

test("animate re-run in the same run folder reuses the tracking without a browser and writes a byte-identical .glb", async () => {
  const images = join(tmp, "rerun-frames");
  mkdirSync(images);
  copyFileSync(astronaut, join(images, "a.png"));
  const runDir = join(tmp, "rerun");
  const first = join(tmp, "first.glb"), second = join(tmp, "second.glb");
  await animate({ asset: assetPath, images, out: first, runDir });
  const cache = join(runDir, "tracking.jsonl");
  const checkpoint = join(runDir, "checkpoints", "step-000001.ckpt");
  const stamp = statSync(checkpoint).mtimeMs;
  // No browser to start: the finished tracking must be reused without opening one.
  const chromium = process.env.DREAMFACE_CHROMIUM;
  process.env.DREAMFACE_CHROMIUM = "/nonexistent";
  try {
    await animate({ asset: assetPath, images, out: second, runDir });
  } finally {
    if (chromium === undefined) delete process.env.DREAMFACE_CHROMIUM;
    else process.env.DREAMFACE_CHROMIUM = chromium;
  }
  assert.deepEqual(readFileSync(second), readFileSync(first));
  assert.equal(statSync(checkpoint).mtimeMs, stamp, "the second run tracked again instead of reusing the checkpointed frames");
  const rows = readFileSync(cache, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(rows.map((r) => r.step), [0]);
  assert.equal(typeof rows[0].landmarks, "string");
});
