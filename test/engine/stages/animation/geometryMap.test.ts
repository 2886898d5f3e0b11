// Geometry maps: positions → 256² UV image → positions; the round-trip error is reported and bounded.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadFaceModel } from "../../../../data-loaders/face/load.js";
import { seamSplit } from "../../../../src/engine/face/seam.js";
import { synthesize } from "../../../../src/engine/face/synthesize.js";
import { fromGeometryMap, geometryMapLayout, roundTripError, toGeometryMap } from "../../../../src/engine/stages/animation/geometryMap.js";

const model = await loadFaceModel();
const V = model.regions.dreamface.vertexCount;
const layout = geometryMapLayout(seamSplit(model, "dreamface"), V, 256);

test("geometry map round trip on the neutral face and an expression: error reported and bounded", () => {
  const faces = {
    neutral: synthesize(model),
    "jawOpen+smile": synthesize(model, { expression: model.expressionNames.map((n) => (n === "jawOpen" ? 0.8 : n.startsWith("mouthSmile") ? 0.6 : 0)) }),
  };
  for (const [name, positions] of Object.entries(faces)) {
    const e = roundTripError(layout, positions);
    console.log(`geometry map 256² round trip (${name}): ${e.covered} vertices, mean ${(e.meanCm * 10).toFixed(3)} mm, p99 ${(e.p99Cm * 10).toFixed(3)} mm, max ${(e.maxCm * 10).toFixed(3)} mm`);
    assert.ok(e.covered > 9000, `face vertices covered: ${e.covered}`);
    // Measured: mean ≈ 0.26 mm, p99 ≈ 4.9 mm, max ≈ 6.6 mm. The tail sits where ICT's UVs are
    // compressed (eyelid and lip rims): one 256² texel spans several mm of surface there.
    assert.ok(e.meanCm < 0.05, `mean ${e.meanCm} cm`);
    assert.ok(e.p99Cm < 0.6, `p99 ${e.p99Cm} cm`);
    assert.ok(e.maxCm < 1.0, `max ${e.maxCm} cm`);
  }
});

test("the round-trip error is a resolution effect: a 512² map lowers the mean and the tail", () => {
  const positions = synthesize(model);
  const e256 = roundTripError(layout, positions);
  const e512 = roundTripError(geometryMapLayout(seamSplit(model, "dreamface"), V, 512), positions);
  assert.ok(e512.meanCm < e256.meanCm * 0.75, `mean ${e512.meanCm} vs ${e256.meanCm}`);
  assert.ok(e512.p99Cm < e256.p99Cm, `p99 ${e512.p99Cm} vs ${e256.p99Cm}`);
});

test("uncovered vertices (head/neck/sockets in UV tile 1) come from the fallback mesh", () => {
  const positions = synthesize(model);
  const map = toGeometryMap(layout, positions);
  const fallback = new Float32Array(V * 3).fill(7);
  const back = fromGeometryMap(layout, map, fallback);
  let uncovered = 0;
  for (let v = 0; v < V; v++) {
    if (layout.covered[v]) continue;
    uncovered++;
    assert.equal(back[v * 3], 7);
  }
  assert.ok(uncovered > 0 && uncovered < V);
});

test("a map shifted by a constant moves covered vertices by that constant", () => {
  const positions = synthesize(model);
  const map = toGeometryMap(layout, positions);
  for (let i = 0; i < map.length; i += 3) map[i] += 1; // +1 cm in x everywhere
  const back = fromGeometryMap(layout, map, positions);
  const plain = fromGeometryMap(layout, toGeometryMap(layout, positions), positions);
  for (let v = 0; v < V; v += 97) {
    if (!layout.covered[v]) continue;
    assert.ok(Math.abs(back[v * 3]! - plain[v * 3]! - 1) < 1e-4);
  }
});
