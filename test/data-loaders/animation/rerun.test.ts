// `animate` twice in one run folder: the second run reuses the journaled tracking and writes
// the same .glb byte for byte.
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

test("animate re-run in the same run folder reuses the tracking and writes a byte-identical .glb", async () => {
  const images = join(tmp, "rerun-frames");
  mkdirSync(images);
  copyFileSync(astronaut, join(images, "a.png"));
  const runDir = join(tmp, "rerun");
  const first = join(tmp, "first.glb"), second = join(tmp, "second.glb");
  await animate({ asset: assetPath, images, out: first, runDir });
  const cache = join(runDir, "tracking.json");
  const stamp = statSync(cache).mtimeMs;
  await animate({ asset: assetPath, images, out: second, runDir });
  assert.deepEqual(readFileSync(second), readFileSync(first));
  assert.equal(statSync(cache).mtimeMs, stamp, "the second run tracked again instead of reusing tracking.json");
  assert.equal(JSON.parse(readFileSync(cache, "utf8")).frames.length, 1);
});
