// The personalized path Ĝ = G_geo(T†, E_exp(V)) over the tiny profile (random weights: the
// output is a test signal, so the checks are about shapes, plumbing and determinism only).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import onnxProto from "onnx-proto";
import { loadFaceModel } from "../../../../data-loaders/face/load.js";
import { createNodeBackend, profileDir } from "../../../../data-loaders/models/backend-node.js";
import { sharedDir } from "../../../../data-loaders/io/paths.js";
import { decodePngBytes } from "../../../../data-loaders/io/png.js";
import { seamSplit } from "../../../../src/engine/face/seam.js";
import { synthesize } from "../../../../src/engine/face/synthesize.js";
import { geometryMapLayout } from "../../../../src/engine/stages/animation/geometryMap.js";
import { expressionCode, faceCrop, geometryCode, neutralGeometryMap, personalizedFrame } from "../../../../src/engine/stages/animation/personalized.js";
import type { ImageF32 } from "../../../../src/engine/image/types.js";

const model = await loadFaceModel();
const V = model.regions.dreamface.vertexCount;
const layout = geometryMapLayout(seamSplit(model, "dreamface"), V, 256);
const backend = await createNodeBackend({ profile: "tiny" });
const png = decodePngBytes(readFileSync(join(sharedDir()!, "faces", "astronaut.png")));
const photo: ImageF32 = { data: Float32Array.from(png.data, (b) => b / 255), width: png.width, height: png.height, channels: 4 };
// A landmark box around the astronaut's face (upper-left quarter), enough to exercise the crop.
const box = [0.3, 0.1, 0.6, 0.45];
const landmarks = [box[0]!, box[1]!, 0, box[2]!, box[3]!, 0];

test("tiny anim graphs have the paper's widths: encoders 7 × conv k5 s2 [32…512], U-Net 5 downsamplings [32,64,128,256,256]", () => {
  const { onnx } = onnxProto;
  const convWidths = (role: string) => {
    const m = onnx.ModelProto.decode(readFileSync(join(profileDir("tiny"), `${role}.onnx`)));
    const dims = new Map(m.graph!.initializer!.map((t) => [t.name!, (t.dims ?? []).map(Number)]));
    return m.graph!.node!.filter((n) => n.opType === "Conv").map((n) => dims.get(n.input![1]!)!);
  };
  for (const role of ["anim_e_geo", "anim_e_exp"]) {
    const convs = convWidths(role);
    assert.deepEqual(convs.map((d) => d[0]), [32, 64, 128, 256, 512, 512, 512]);
    assert.ok(convs.every((d) => d[2] === 5 && d[3] === 5));
  }
  assert.deepEqual(convWidths("anim_g_geo").slice(0, 5).map((d) => d[0]), [32, 64, 128, 256, 256]);
});

test("E_exp and E_geo give 256-d codes; the crop is 256² RGB", async () => {
  const crop = faceCrop(photo, landmarks);
  assert.equal(crop.width, 256);
  assert.equal(crop.channels, 3);
  const code = await expressionCode(backend, crop);
  assert.equal(code.length, 256);
  assert.ok(code.every(Number.isFinite));
  const g = await geometryCode(backend, neutralGeometryMap(layout, synthesize(model)), 256);
  assert.equal(g.length, 256);
});

test("personalizedFrame: deterministic, code-dependent, and leaves uncovered vertices at T†", async () => {
  const neutral = synthesize(model, { identity: [1, -0.5] });
  const neutralMap = neutralGeometryMap(layout, neutral);
  const crop = faceCrop(photo, landmarks);
  const a = await personalizedFrame(backend, layout, neutral, neutralMap, crop);
  const b = await personalizedFrame(backend, layout, neutral, neutralMap, crop);
  assert.deepEqual(a.positions, b.positions);
  const other = faceCrop(photo, [0.6, 0.6, 0, 0.9, 0.9, 0]); // not a face: another code
  const c = await personalizedFrame(backend, layout, neutral, neutralMap, other);
  let moved = 0, differs = 0;
  for (let v = 0; v < V; v++) {
    const d = Math.hypot(a.positions[v * 3]! - neutral[v * 3]!, a.positions[v * 3 + 1]! - neutral[v * 3 + 1]!, a.positions[v * 3 + 2]! - neutral[v * 3 + 2]!);
    if (!layout.covered[v]) assert.equal(d, 0);
    else if (d > 1e-3) moved++;
    if (a.positions[v * 3] !== c.positions[v * 3]) differs++;
  }
  assert.ok(moved > 1000, `covered vertices moved by G_geo: ${moved}`);
  assert.ok(differs > 1000, "a different crop gives a different geometry");
});
