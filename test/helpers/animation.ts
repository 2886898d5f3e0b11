// Shared fixture of the animation data-loader tests: the astronaut photo, the ICT model, a
// temp folder holding that model's .glb, and a faceless image for the error paths.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadFaceModel } from "../../data-loaders/face/load.js";
import { sharedDir } from "../../data-loaders/io/paths.js";
import { writePng } from "../../data-loaders/io/png.js";
import { faceGlbAsset } from "../../src/engine/export/face-asset.js";
import { writeGlb } from "../../src/engine/export/gltf.js";
import { tempDir } from "./tmp.js";

const shared = sharedDir();
assert.ok(shared, "../shared (or DREAMFACE_SHARED_DIR) is needed for the tracker tests");
export const astronaut = join(shared, "faces", "astronaut.png");
export const model = await loadFaceModel();
export const tmp = tempDir("dreamface-animate-");
export const assetPath = join(tmp, "face.glb");
writeFileSync(assetPath, writeGlb(faceGlbAsset(model)));

/** A flat light-grey 256² RGBA image (alpha 200/255): no face to find. */
export function blankPng(path: string): void {
  writePng(path, new Float32Array(256 * 256 * 4).fill(200 / 255), 256, 256, { channels: 4 });
}
