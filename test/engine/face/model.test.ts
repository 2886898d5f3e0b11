// The engine's face functions on the real ICT-FaceKit model (loaded from ../shared through the cache).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadFaceModel } from "../../../data-loaders/face/load.js";
import { synthesize, synthesizeBackward, expressionIndex } from "../../../src/engine/face/synthesize.js";
import { vertexNormals, vertexTangents } from "../../../src/engine/face/normals.js";
import { gatherSplit, seamSplit } from "../../../src/engine/face/seam.js";
import { decodeFaceModel, encodeFaceModel } from "../../../src/engine/face/binary.js";
import { maxAbsDiff, originalPositions, sharedIctDir } from "../../helpers/ict-files.js";

const model = await loadFaceModel({ dir: sharedIctDir() });

test("the DreamFace region has 14062 vertices and 28068 triangles; the full head 26719 vertices", () => {
  assert.equal(model.vertexCount, 26719);
  assert.equal(model.regions.dreamface.vertexCount, 14062);
  assert.equal(model.regions.dreamface.triangles.length / 3, 28068);
  assert.equal(model.regions.full.vertexCount, 26719);
  assert.equal(model.regions.full.polygonCount, 26384);
  // 25836 quads and 548 triangles → 2·25836 + 548 triangles.
  assert.equal(model.regions.full.triangles.length / 3, 2 * 25836 + 548);
  assert.ok(model.regions.dreamface.triangles.every((v) => v < 14062), "region triangles stay inside the region");
});

test("expression names are vertex_indices.json's 53 names in model order", () => {
  const json = JSON.parse(readFileSync(join(sharedIctDir(), "vertex_indices.json"), "utf8")) as { expressions: string[] };
  assert.equal(model.expressionNames.length, 53);
  assert.deepEqual(model.expressionNames, json.expressions);
  assert.equal(model.expressionNames[0], "browDown_L");
  assert.equal(expressionIndex(model, "jawOpen"), 26);
  assert.equal(model.identityModes.length, 100);
});

test("synthesize with β = e_k reproduces identity<k>.obj, and e = e_jawOpen reproduces jawOpen.obj", () => {
  for (const k of [3, 64]) {
    const beta = new Float32Array(100);
    beta[k] = 1;
    const out = synthesize(model, { identity: beta, region: "full" });
    assert.ok(maxAbsDiff(out, originalPositions(`identity${String(k).padStart(3, "0")}.obj`)) < 1e-5);
  }
  const e = new Float32Array(53);
  e[expressionIndex(model, "jawOpen")] = 1;
  const jaw = synthesize(model, { expression: e });
  assert.equal(jaw.length, 14062 * 3);
  assert.ok(maxAbsDiff(jaw, originalPositions("jawOpen.obj")) < 1e-5);
  assert.ok(maxAbsDiff(jaw, model.neutral) > 0.5, "jawOpen moves the jaw");
});

test("synthesize is linear and writes into a given buffer", () => {
  const out = new Float32Array(14062 * 3);
  const a = synthesize(model, { identity: [0, 2] }, out);
  assert.equal(a, out);
  const b = synthesize(model, { identity: [0, 1] });
  for (const i of [0, 3000, 42185]) assert.ok(Math.abs(a[i]! - model.neutral[i]! - 2 * (b[i]! - model.neutral[i]!)) < 1e-5);
  assert.throws(() => synthesize(model, { identity: new Float32Array(101) }), /101 coefficients for 100 modes/);
  assert.throws(() => synthesize(model, { expression: [NaN] }), /not a finite number/);
});

test("the 68 landmarks are face-area vertices", () => {
  assert.equal(model.landmarks68.length, 68);
  assert.ok(model.landmarks68.every((v) => v <= 9408));
  assert.equal(model.landmarks68[51], 0);
});

test("seamSplit keeps every triangle's model vertices and gives each split vertex one UV", () => {
  const split = seamSplit(model, "dreamface");
  const region = model.regions.dreamface;
  assert.equal(split.triangles.length, region.triangles.length);
  for (let i = 0; i < split.triangles.length; i++) assert.equal(split.source[split.triangles[i]!], region.triangles[i]);
  assert.ok(split.source.length > 14062, "ICT's UV layout has seams, so some vertices split");
  assert.equal(new Set(split.source).size, 14062, "every region vertex appears");
  // ICT lays UVs out in UDIM-like tiles: the face (polygons 0–9229, two triangles each) in
  // u ∈ [0,1], head/neck and sockets in [1,2]; the atlas puts them side by side in [0, 1]².
  assert.equal(split.tiles, 2);
  for (let i = 0; i < split.triangles.length; i++) {
    const s = split.triangles[i]!;
    const u = split.tileUv[s * 2]!, v = split.tileUv[s * 2 + 1]!;
    assert.ok(v >= 0 && v <= 1, `v = ${v}`);
    const face = i < 9230 * 2 * 3;
    assert.ok(face ? u >= 0 && u <= 1 : u >= 1 && u <= 2, `triangle ${Math.floor(i / 3)}: u = ${u}`);
    const au = split.uv[s * 2]!;
    assert.ok(face ? au >= 0 && au <= 0.5 : au >= 0.5 && au <= 1, `triangle ${Math.floor(i / 3)}: atlas u = ${au}`);
    assert.equal(split.uv[s * 2 + 1], v);
  }
});

test("tangents on the real face are unit, orthogonal to the normals, with w = ±1", () => {
  const split = seamSplit(model, "dreamface");
  const pos = gatherSplit(synthesize(model), split.source, 3);
  const n = vertexNormals(pos, split.triangles);
  const t = vertexTangents(pos, n, split.uv, split.triangles);
  let worstDot = 0, worstLen = 0;
  for (let s = 0; s < split.source.length; s++) {
    const [tx, ty, tz, w] = [t[s * 4]!, t[s * 4 + 1]!, t[s * 4 + 2]!, t[s * 4 + 3]!];
    worstDot = Math.max(worstDot, Math.abs(tx * n[s * 3]! + ty * n[s * 3 + 1]! + tz * n[s * 3 + 2]!));
    worstLen = Math.max(worstLen, Math.abs(Math.hypot(tx, ty, tz) - 1));
    assert.ok(w === 1 || w === -1);
  }
  assert.ok(worstDot < 1e-5, `max |t·n| = ${worstDot}`);
  assert.ok(worstLen < 1e-5, `max ||t|-1| = ${worstLen}`);
});

test("encodeFaceModel/decodeFaceModel round-trip the whole model", () => {
  const back = decodeFaceModel(encodeFaceModel(model));
  assert.equal(back.vertexCount, model.vertexCount);
  assert.deepEqual(back.expressionNames, model.expressionNames);
  assert.deepEqual(back.neutral, model.neutral);
  assert.deepEqual(back.identityModes[99], model.identityModes[99]);
  assert.deepEqual(back.expressionModes[52], model.expressionModes[52]);
  assert.deepEqual(back.uvs, model.uvs);
  assert.deepEqual(back.polygonUvs, model.polygonUvs);
  assert.deepEqual(back.regions.full.triangles, model.regions.full.triangles);
  assert.deepEqual(back.landmarks68, model.landmarks68);
  assert.deepEqual(back.materialGroups, model.materialGroups);
});

test("ICT's 12 material groups are kept in polygon order; the region holds the two skin groups", () => {
  const groups = model.materialGroups!;
  assert.equal(groups.length, 12);
  assert.deepEqual(groups.slice(0, 4).map((g) => g.name), ["M_Face", "M_BackHead", "M_GumsTongue", "M_Teeth"]);
  assert.equal(groups[0]!.firstPolygon, 0);
  assert.equal(groups[2]!.firstPolygon, 14034, "gums and tongue start right after the DreamFace region");
  const small = decodeFaceModel(encodeFaceModel(model, { region: "dreamface", identityCount: 0, expressions: false }));
  assert.deepEqual(small.materialGroups!.map((g) => g.name), ["M_Face", "M_BackHead"]);
});

test("a region-only payload with 10 identity modes synthesizes the same region and refuses the full head", () => {
  const bytes = encodeFaceModel(model, { region: "dreamface", identityCount: 10 });
  const small = decodeFaceModel(bytes.slice(0)); // copy: also exercises a fresh buffer
  assert.equal(small.vertexCount, 14062);
  assert.equal(small.subset, "dreamface");
  assert.equal(small.identityModes.length, 10);
  const coeffs = { identity: [0.5, -1, 0, 0, 0, 0, 0, 0, 0, 2], expression: [0, 0, 0.3] };
  assert.deepEqual(synthesize(small, coeffs), synthesize(model, coeffs));
  assert.deepEqual(small.regions.dreamface.triangles, model.regions.dreamface.triangles);
  assert.throws(() => synthesize(small, { region: "full" }), /not in this model/);
  assert.throws(() => seamSplit(small, "full"), /not in this model/);
  const noExpr = decodeFaceModel(encodeFaceModel(model, { region: "dreamface", identityCount: 0, expressions: false }));
  assert.equal(noExpr.expressionModes.length, 0);
  assert.ok(encodeFaceModel(model, { region: "dreamface", identityCount: 0, expressions: false }).length < 1_000_000);
});

test("decodeFaceModel rejects foreign and truncated bytes", () => {
  assert.throws(() => decodeFaceModel(new TextEncoder().encode("glTF and more bytes")), /bad magic/);
  const bytes = encodeFaceModel(model, { region: "dreamface", identityCount: 1, expressions: false });
  assert.throws(() => decodeFaceModel(bytes.subarray(0, bytes.length - 100)), /truncated/);
});

test("synthesizeBackward is the adjoint of synthesize: <g, T(β, e) − T̄> = <∂β, β> + <∂e, e>", () => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const identity = Float32Array.from({ length: 12 }, rand), expression = Float32Array.from({ length: 53 }, rand);
  const t = synthesize(model, { identity, expression });
  const neutral = synthesize(model, {});
  const g = Float32Array.from({ length: t.length }, rand);
  let lhs = 0;
  for (let i = 0; i < t.length; i++) lhs += g[i]! * (t[i]! - neutral[i]!);
  const back = synthesizeBackward(model, g, { identity: 12 });
  assert.equal(back.identity.length, 12);
  assert.equal(back.expression.length, model.expressionModes.length);
  let rhs = 0;
  for (let k = 0; k < 12; k++) rhs += back.identity[k]! * identity[k]!;
  for (let k = 0; k < 53; k++) rhs += back.expression[k]! * expression[k]!;
  assert.ok(Math.abs(lhs - rhs) <= 1e-4 * Math.max(1, Math.abs(lhs)), `${lhs} vs ${rhs}`);
  assert.ok(Math.abs(lhs) > 1e-3, "a nonzero pairing");
  assert.equal(synthesizeBackward(model, g, { identity: 0, expression: 0 }).identity.length, 0);
});
