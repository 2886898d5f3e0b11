// Issue 11.1 in carving: N_d has a tile for ICT's head and neck (u ∈ [1, 2]) beside the face
// tile, and SDS gradients from views that show the neck and scalp reach it (before, those
// pixels sampled a clamped edge column of the face tile).
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadFaceModel } from "../../../data-loaders/face/load.js";
import { seamSplit } from "../../../src/engine/face/seam.js";
import { splitTiles } from "../../../src/engine/face/atlas.js";
import { Carver } from "../../../src/engine/stages/geometry/carve.js";
import { parseGeometryConfig } from "../../../src/engine/stages/geometry/config.js";
import { linearGuide } from "./fixtures.js";

test("carving on ICT: N_d is face | head tiles, and both tiles move under SDS", async () => {
  const model = await loadFaceModel();
  const M = 16;
  const config = { ...parseGeometryConfig({ carving: { steps: 3 } }).carving, renderSize: 48, normalMapSize: M };
  const c = new Carver({ model, split: seamSplit(model, "dreamface"), betaStar: new Float32Array(model.identityModes.length), config, seed: 4, guide: linearGuide() });
  assert.deepEqual([c.ndWidth, c.ndHeight, c.nd.length], [2 * M, M, 2 * M * M * 3]);
  const flat = (t: Float32Array) => t.every((v, i) => v === (i % 3 === 2 ? 1 : 0));
  for (let i = 0; i < 3; i++) await c.next();
  const [face, head] = splitTiles(c.nd, 2, M, M, 3);
  assert.ok(!flat(face!), "the face tile moved");
  assert.ok(!flat(head!), "the head-and-neck tile moved");
});
