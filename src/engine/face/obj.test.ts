import { test } from "node:test";
import assert from "node:assert/strict";
import { NO_UV, parseObj, parseObjPositions } from "./obj.js";

const bytes = (s: string) => new TextEncoder().encode(s);

test("parseObj reads v, vt and mixed quad/triangle faces with a/b/c corners", () => {
  const obj = parseObj(
    bytes(`# comment
mtllib x.mtl
v 0 0 0
v 1 0 0
v 1 1 0
v 0 1 -1.5e-1
vt 0 0
vt 1 0
vt 1 1
usemtl skin
f 1/1/1 2/2/1 3/3/1 4/1/1
f 1/1 3/3 4
f -4//1 -3//1 -2//1
`),
  );
  assert.deepEqual(Array.from(obj.positions), [0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, Math.fround(-0.15)]);
  assert.deepEqual(Array.from(obj.uvs), [0, 0, 1, 0, 1, 1]);
  assert.deepEqual(Array.from(obj.polygonStart), [0, 4, 7, 10]);
  assert.deepEqual(Array.from(obj.polygonVertices), [0, 1, 2, 3, 0, 2, 3, 0, 1, 2]);
  assert.deepEqual(Array.from(obj.polygonUvs), [0, 1, 2, 0, 0, 2, NO_UV, NO_UV, NO_UV, NO_UV]);
  assert.deepEqual(obj.materials, [{ name: "skin", firstPolygon: 0 }]);
});

test("parseObj numbers match parseFloat to float32 precision", () => {
  const values = ["11.8387", "-2.48251", "0.000123", "1e-05", "-3.5E+2", "+7", "123456.789012"];
  const obj = parseObj(bytes(values.map((_, i) => `v ${values[i]} ${values[(i + 1) % values.length]} 0`).join("\n")));
  for (let i = 0; i < values.length; i++) assert.equal(obj.positions[i * 3], Math.fround(parseFloat(values[i]!)));
});

test("parseObj rejects out-of-range indices and short faces with the line number", () => {
  assert.throws(() => parseObj(bytes("v 0 0 0\nv 1 0 0\nf 1 2 3\n"), "bad.obj"), /bad\.obj: line 3: vertex index out of range/);
  assert.throws(() => parseObj(bytes("v 0 0 0\nv 1 0 0\nf 1 2\n"), "bad.obj"), /at least 3 corners/);
  assert.throws(() => parseObj(bytes("v 0 x 0\n"), "bad.obj"), /line 1: expected a number/);
});

test("parseObjPositions reads only the vertex block and checks the count", () => {
  const text = "v 1 2 3\nv 4 5 6\nvt 0 0\nf 1 2 1\n";
  assert.deepEqual(Array.from(parseObjPositions(bytes(text), new Float64Array(6))), [1, 2, 3, 4, 5, 6]);
  assert.throws(() => parseObjPositions(bytes(text), new Float64Array(9), "x.obj"), /x\.obj: has 2 vertices, expected 3/);
});
