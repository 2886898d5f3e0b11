import { test } from "node:test";
import assert from "node:assert/strict";
import { writeGlb, type GlbAsset } from "./gltf.js";
import { vertexNormals, vertexTangents } from "../face/normals.js";
import { assertValidGlb } from "../../../test/helpers/gltf-validate.js";
import { encodePng } from "../../../data-loaders/io/png.js";

function png(w: number, h: number, rgba: [number, number, number, number]): Uint8Array {
  const data = new Float32Array(w * h * 4);
  for (let i = 0; i < w * h; i++) data.set(rgba.map((b) => b / 255), i * 4);
  return encodePng(data, w, h, { channels: 4 });
}

function readJson(glb: Uint8Array): any {
  const dv = new DataView(glb.buffer, glb.byteOffset, glb.byteLength);
  assert.equal(dv.getUint32(0, true), 0x46546c67);
  assert.equal(dv.getUint32(8, true), glb.length);
  const len = dv.getUint32(12, true);
  return JSON.parse(new TextDecoder().decode(glb.subarray(20, 20 + len)));
}

// A small quad grid with UVs, so textures, tangents and sparse/dense targets all have work to do.
function grid(n: number): GlbAsset {
  const positions = new Float32Array((n + 1) * (n + 1) * 3), uv = new Float32Array((n + 1) * (n + 1) * 2);
  for (let y = 0; y <= n; y++) for (let x = 0; x <= n; x++) {
    const i = y * (n + 1) + x;
    positions.set([x / n, y / n, 0.1 * Math.sin(x)], i * 3);
    uv.set([x / n, y / n], i * 2);
  }
  const idx: number[] = [];
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) {
    const a = y * (n + 1) + x;
    idx.push(a, a + 1, a + n + 2, a, a + n + 2, a + n + 1);
  }
  const indices = Uint32Array.from(idx);
  const normals = vertexNormals(positions, indices);
  return { positions, normals, uv, indices, tangents: vertexTangents(positions, normals, uv, indices) };
}

test("writeGlb: textured PBR mesh with KHR_materials_specular, sparse and dense morph targets and a weights animation passes glTF-Validator", async () => {
  const asset = grid(8);
  const V = asset.positions.length / 3;
  const dense = new Float32Array(V * 3).map((_, i) => (i % 3 === 2 ? 0.01 * (i % 7) : 0));
  const sparse = new Float32Array(V * 3);
  sparse[5 * 3 + 1] = 0.2; // one vertex moves → stored as a sparse accessor
  asset.morphTargets = [
    { name: "jawOpen", positions: dense, weight: 0.25 },
    { name: "eyeBlink_L", positions: sparse, normals: new Float32Array(V * 3) },
    { name: "still", positions: new Float32Array(V * 3) },
  ];
  asset.material = {
    baseColorPng: png(4, 4, [200, 150, 120, 255]),
    normalPng: png(4, 4, [128, 128, 255, 255]),
    specularPng: png(4, 4, [0, 0, 0, 128]),
    specularColorPng: png(4, 4, [255, 255, 255, 255]),
    specularFactor: 0.8,
  };
  asset.animations = [{ name: "blink", times: new Float32Array([0, 0.5, 1]), weights: new Float32Array([0, 0, 0, 0, 1, 0, 0, 0, 0]) }];
  asset.extras = { profile: "tiny", note: "test signal, not a face" };
  const glb = writeGlb(asset);
  const report = await assertValidGlb(glb, "grid.glb");
  assert.equal(report.issues.numWarnings, 0, JSON.stringify(report.issues.messages));
  const json = readJson(glb);
  assert.deepEqual(json.meshes[0].extras.targetNames, ["jawOpen", "eyeBlink_L", "still"]);
  assert.deepEqual(json.meshes[0].weights, [0.25, 0, 0]);
  const targets = json.meshes[0].primitives[0].targets;
  assert.equal(json.accessors[targets[0].POSITION].sparse, undefined, "a target moving most vertices stays dense");
  assert.equal(json.accessors[targets[1].POSITION].sparse.count, 1);
  assert.ok(json.extensionsUsed.includes("KHR_materials_specular"));
  assert.equal(json.materials[0].extensions.KHR_materials_specular.specularFactor, 0.8);
  assert.equal(json.images.length, 4);
  assert.deepEqual(json.animations[0].channels[0].target, { node: 0, path: "weights" });
  assert.equal(json.asset.extras.note, "test signal, not a face");
  // glTF's v runs down: the writer flips OBJ-convention v.
  const tc = json.accessors[json.meshes[0].primitives[0].attributes.TEXCOORD_0];
  const view = json.bufferViews[tc.bufferView];
  const bin = glb.subarray(20 + new DataView(glb.buffer).getUint32(12, true) + 8);
  const firstV = new DataView(bin.buffer, bin.byteOffset + view.byteOffset + 4, 4).getFloat32(0, true);
  assert.equal(firstV, 1);
});

test("writeGlb: a bare mesh (positions + indices) is valid too", async () => {
  const glb = writeGlb({ positions: new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0]), indices: new Uint32Array([0, 1, 2]) });
  await assertValidGlb(glb, "triangle.glb");
  assert.equal(glb.length % 4, 0);
});

test("writeGlb: submeshes become primitives sharing attributes and morph targets, each with its material", async () => {
  const asset = grid(4);
  const V = asset.positions.length / 3;
  asset.morphTargets = [{ name: "t", positions: new Float32Array(V * 3).fill(0.01) }];
  asset.material = { name: "skin", baseColorFactor: [0.8, 0.6, 0.5, 1] };
  const T = asset.indices.length / 3;
  asset.submeshes = [
    { name: "a", triangleStart: 0, triangleCount: 10 },
    { name: "b", triangleStart: 10, triangleCount: T - 10, material: { name: "overlay", baseColorFactor: [0, 0, 0, 0.2], alphaMode: "BLEND" } },
  ];
  const glb = writeGlb(asset);
  await assertValidGlb(glb, "submeshes.glb");
  const json = readJson(glb);
  const [p0, p1] = json.meshes[0].primitives;
  assert.equal(json.meshes[0].primitives.length, 2);
  assert.equal(p0.attributes.POSITION, p1.attributes.POSITION);
  assert.deepEqual(p0.targets, p1.targets);
  assert.equal(json.accessors[p0.indices].count + json.accessors[p1.indices].count, asset.indices.length);
  assert.deepEqual([json.materials[p0.material].name, json.materials[p1.material].name], ["skin", "overlay"]);
  assert.equal(json.materials[p1.material].alphaMode, "BLEND");
  assert.throws(() => writeGlb({ ...asset, submeshes: [{ triangleStart: T - 1, triangleCount: 2 }] }), /ends past the last triangle/);
});

test("writeGlb rejects inconsistent input with a message naming the problem", () => {
  const base = grid(2);
  assert.throws(() => writeGlb({ ...base, indices: new Uint32Array([0, 1, 99]) }), /index 99 out of range/);
  assert.throws(() => writeGlb({ ...base, uv: new Float32Array(3) }), /uv must be/);
  assert.throws(() => writeGlb({ ...base, material: { baseColorPng: new Uint8Array([1, 2, 3, 4]) } }), /not PNG data/);
  assert.throws(() => writeGlb({ ...base, animations: [{ times: new Float32Array([0]), weights: new Float32Array([0]) }] }), /needs morph targets/);
  const p = new Float32Array(base.positions);
  p[0] = NaN;
  assert.throws(() => writeGlb({ ...base, positions: p }), /non-finite/);
});
