import { test } from "node:test";
import assert from "node:assert/strict";
import { vertexNormals, vertexTangents } from "./normals.js";

// A unit square in the z=0 plane split into two triangles, UVs aligned with x/y.
const square = {
  positions: new Float32Array([0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0]),
  uv: new Float32Array([0, 0, 1, 0, 1, 1, 0, 1]),
  triangles: new Uint32Array([0, 1, 2, 0, 2, 3]),
};

test("vertexNormals of a counter-clockwise square point along +z", () => {
  const n = vertexNormals(square.positions, square.triangles);
  for (let v = 0; v < 4; v++) assert.deepEqual(Array.from(n.subarray(v * 3, v * 3 + 3)), [0, 0, 1]);
});

test("vertexNormals weights faces by area", () => {
  // Vertex 0 is shared by a large triangle facing +z and a small one facing +x.
  const p = new Float32Array([0, 0, 0, 10, 0, 0, 0, 10, 0, 0, 0, 1, 0, 1, 0]);
  const n = vertexNormals(p, new Uint32Array([0, 1, 2, 0, 4, 3]));
  // Area-weighted: (0,0,100)+(0.5·2)(1,0,0)… normalised; z must dominate x by 100:1.
  assert.ok(Math.abs(n[2]! / n[0]! - 100) < 1e-3, `z/x = ${n[2]! / n[0]!}`);
});

test("vertexTangents follow +u, are unit, orthogonal to the normal, and w encodes the UV handedness", () => {
  const n = vertexNormals(square.positions, square.triangles);
  const t = vertexTangents(square.positions, n, square.uv, square.triangles);
  for (let v = 0; v < 4; v++) assert.deepEqual(Array.from(t.subarray(v * 4, v * 4 + 4)), [1, 0, 0, 1]);
  const mirrored = new Float32Array(square.uv);
  for (let i = 0; i < mirrored.length; i += 2) mirrored[i] = 1 - mirrored[i]!;
  const tm = vertexTangents(square.positions, n, mirrored, square.triangles);
  for (let v = 0; v < 4; v++) assert.deepEqual(Array.from(tm.subarray(v * 4, v * 4 + 4)), [-1, 0, 0, -1]);
});
