import { test } from "node:test";
import assert from "node:assert/strict";
import { writeMtl, writeObj } from "./obj.js";
import { parseObj } from "../face/obj.js";

test("writeObj round-trips polygons with separate UV indices through parseObj", () => {
  const mesh = {
    positions: new Float32Array([0, 0, 0, 1.2345678, 0, 0, 1, 1, -3e-7, 0, 1, 0]),
    uvs: new Float32Array([0, 0, 1, 0, 1, 1, 0, 1, 0.5, 0.5]),
    faceStart: new Uint32Array([0, 4]),
    faceVertices: new Uint32Array([0, 1, 2, 3]),
    faceUvs: new Uint32Array([0, 1, 2, 4]),
  };
  const text = writeObj(mesh, { comments: ["hello"], mtllib: "a.mtl", material: "skin" });
  assert.match(text, /^# hello\nmtllib a\.mtl\n/);
  assert.match(text, /usemtl skin\nf 1\/1 2\/2 3\/3 4\/5\n$/);
  const back = parseObj(new TextEncoder().encode(text));
  for (let i = 0; i < mesh.positions.length; i++) assert.ok(Math.abs(back.positions[i]! - mesh.positions[i]!) <= 1e-6 * Math.max(1, Math.abs(mesh.positions[i]!)));
  assert.deepEqual(back.polygonUvs, mesh.faceUvs);
  assert.deepEqual(back.uvs, mesh.uvs);
});

test("writeObj writes triangles with per-vertex uv and normals as v/t/n", () => {
  const text = writeObj({
    positions: new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0]),
    normals: new Float32Array([0, 0, 1, 0, 0, 1, 0, 0, 1]),
    uvs: new Float32Array([0, 0, 1, 0, 0, 1]),
    faceVertices: new Uint32Array([0, 1, 2]),
  });
  assert.match(text, /\nvn 0 0 1\n/);
  assert.match(text, /\nf 1\/1\/1 2\/2\/2 3\/3\/3\n$/);
  assert.throws(() => writeObj({ positions: new Float32Array(3), faceVertices: new Uint32Array([0, 1, 2]) }), /uses vertex 1 of 1/);
});

test("writeObj groups switch materials at the given faces", () => {
  const text = writeObj(
    { positions: new Float32Array(12), faceVertices: new Uint32Array([0, 1, 2, 0, 2, 3, 1, 2, 3]) },
    { groups: [{ material: "skin", firstFace: 0 }, { material: "teeth", firstFace: 2 }] },
  );
  assert.match(text, /usemtl skin\nf 1 2 3\nf 1 3 4\nusemtl teeth\nf 2 3 4\n$/);
  assert.match(writeMtl([{ name: "lacrimal", opacity: 0.15 }]), /\nd 0\.15\n/);
});

test("writeMtl names the texture maps", () => {
  const mtl = writeMtl([{ name: "face", baseColorTexture: "albedo.png", normalTexture: "normal.png", specularTexture: "spec.png" }]);
  assert.match(mtl, /newmtl face/);
  assert.match(mtl, /map_Kd albedo\.png/);
  assert.match(mtl, /map_Ks spec\.png/);
  assert.match(mtl, /norm normal\.png/);
});
