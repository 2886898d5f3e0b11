// The committed MediaPipe → ICT correspondence is what the build script produces, and it is sane.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadFaceModel } from "../../../data-loaders/face/load.js";
import { buildCorrespondence } from "../../../data-loaders/animation/build-correspondence.js";
import { readCorrespondenceJson } from "../../../data-loaders/animation/correspondence.js";
import { readCanonicalFace } from "../../../data-loaders/animation/mediapipe-assets.js";
import { correspondenceFromJson, landmarkPositions } from "../../../src/engine/stages/animation/correspondence.js";

const model = await loadFaceModel();

test("MediaPipe's canonical face is read from the package: 468 vertices, 898 triangles, nose tip in front", () => {
  const c = readCanonicalFace();
  assert.equal(c.positions.length, 468 * 3);
  assert.equal(c.triangles.length, 898 * 3);
  let maxZ = -Infinity;
  for (let i = 0; i < 468; i++) maxZ = Math.max(maxZ, c.positions[i * 3 + 2]!);
  assert.ok(c.positions[1 * 3 + 2]! > maxZ - 0.5, "landmark 1 (nose tip) is among the most forward points");
});

test("the committed correspondence equals a fresh build and lands MediaPipe's nose tip on ICT's", () => {
  const committed = readCorrespondenceJson();
  const fresh = buildCorrespondence(model);
  assert.deepEqual(committed.vertices, fresh.vertices);
  assert.deepEqual(committed.weights, fresh.weights);
  const corr = correspondenceFromJson(committed);
  const p = landmarkPositions(model.neutral, corr);
  const nose = model.landmarks68[30]! * 3; // dlib 30: nose tip
  const d = Math.hypot(p[3]! - model.neutral[nose]!, p[4]! - model.neutral[nose + 1]!, p[5]! - model.neutral[nose + 2]!);
  assert.ok(d < 1, `MediaPipe landmark 1 is ${d.toFixed(2)} cm from ICT's nose tip`);
  for (const v of corr.vertices) assert.ok(v <= 9408, "only face-area vertices");
});
