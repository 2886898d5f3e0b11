// The two-tile atlas (face/atlas.ts) and the seam helpers beside gatherSplit (face/seam.ts):
// adjoints checked by ⟨Ax, y⟩ = ⟨x, Aᵀy⟩, the split frame against the rebuild it replaces.
import { test } from "node:test";
import assert from "node:assert/strict";
import { joinTiles, splitTiles, tileCount, toAtlasUv } from "../../../src/engine/face/atlas.js";
import { gatherSplit, scatterSplit, seamSplit, splitFrame } from "../../../src/engine/face/seam.js";
import { vertexNormals, vertexTangents } from "../../../src/engine/face/normals.js";
import { synthesize } from "../../../src/engine/face/synthesize.js";
import { loadFaceModel } from "../../../data-loaders/face/load.js";
import { Rng } from "../../../src/engine/util/rng.js";

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);

test("joinTiles puts tile i at columns i·w…; splitTiles is its adjoint and inverse", () => {
  const rng = new Rng(1);
  const [h, w, c, n] = [3, 4, 2, 2];
  const tiles = [rng.normals(h * w * c), rng.normals(h * w * c)];
  const atlas = joinTiles(tiles, h, w, c);
  // Row 1, column w (the first texel of tile 1 on that row) is tile 1's (1, 0).
  assert.deepEqual(Array.from(atlas.subarray((1 * n * w + w) * c, (1 * n * w + w) * c + c)), Array.from(tiles[1]!.subarray(w * c, w * c + c)));
  assert.deepEqual(splitTiles(atlas, n, h, w, c).map((t) => Array.from(t)), tiles.map((t) => Array.from(t)));
  const y = rng.normals(atlas.length);
  const back = splitTiles(y, n, h, w, c);
  assert.ok(Math.abs(dot(atlas, y) - (dot(tiles[0]!, back[0]!) + dot(tiles[1]!, back[1]!))) < 1e-4);
});

test("atlas UVs: u / tiles, v kept; tileCount is ⌈max u⌉", () => {
  const uv = new Float32Array([0.2, 0.3, 1.5, 0.9, 0.99, 0.1]);
  assert.equal(tileCount(uv), 2);
  assert.deepEqual(Array.from(toAtlasUv(uv, 2)), Array.from(new Float32Array([0.1, 0.3, 0.75, 0.9, 0.495, 0.1])));
  assert.equal(tileCount(new Float32Array([0.5, 0.5, 1, 0])), 1);
});

const model = await loadFaceModel();

test("scatterSplit is the adjoint of gatherSplit on ICT's seam split (the tile boundary included)", () => {
  const split = seamSplit(model, "dreamface");
  const V = model.regions.dreamface.vertexCount;
  const rng = new Rng(2);
  const x = rng.normals(V * 3), y = rng.normals(split.source.length * 3);
  const lhs = dot(gatherSplit(x, split.source, 3), y);
  const rhs = dot(x, scatterSplit(y, split.source, 3, V * 3));
  assert.ok(Math.abs(lhs - rhs) < 1e-3 * Math.abs(lhs) + 1e-3, `${lhs} vs ${rhs}`);
});

test("splitFrame equals gather(positions) + gather(normals) + tangents over the atlas UVs, and the tile boundary copies share them", () => {
  const split = seamSplit(model, "dreamface");
  const region = model.regions.dreamface;
  const pos = synthesize(model, { region: "dreamface" });
  const f = splitFrame(split, pos, { modelTriangles: region.triangles, tangents: true, scale: 0.01 });
  const n = gatherSplit(vertexNormals(pos, region.triangles), split.source, 3);
  const p = gatherSplit(pos, split.source, 3).map((v) => v * 0.01);
  assert.deepEqual(f.normals, n);
  assert.deepEqual(f.positions, p);
  assert.deepEqual(f.tangents, vertexTangents(p, n, split.uv, split.triangles));
  // The default model triangles (split triangles through source) are the region's.
  assert.deepEqual(splitFrame(split, pos).normals, n);
  // Vertices on the face/head boundary have a copy in each tile with the same position and normal.
  const byVertex = new Map<number, number[]>();
  split.source.forEach((v, s) => byVertex.set(v, [...(byVertex.get(v) ?? []), s]));
  let boundary = 0;
  for (const copies of byVertex.values()) {
    const tiles = new Set(copies.map((s) => Math.floor(split.tileUv[s * 2]! - 1e-6)));
    if (tiles.size < 2) continue;
    boundary++;
    const [a, b] = copies;
    for (let j = 0; j < 3; j++) assert.equal(f.normals[a! * 3 + j], f.normals[b! * 3 + j]);
  }
  assert.ok(boundary > 50, `the face/head boundary has ${boundary} split vertices`);
});
