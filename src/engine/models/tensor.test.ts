import { test } from "node:test";
import assert from "node:assert/strict";
import { asFloat32, cast, concat0, fromHalf, split0, tensor, toHalf } from "./tensor.js";

test("toHalf/fromHalf: exact values, rounding to nearest even, subnormals, overflow", () => {
  assert.equal(toHalf(1), 0x3c00);
  assert.equal(toHalf(-2), 0xc000);
  assert.equal(toHalf(65504), 0x7bff);
  assert.equal(toHalf(1e6), 0x7c00);
  assert.equal(toHalf(2 ** -24), 0x0001);
  assert.equal(toHalf(1 + 2 ** -11), 0x3c00); // halfway: ties to even (down)
  assert.equal(toHalf(1 + 3 * 2 ** -11), 0x3c02); // halfway: ties to even (up)
  assert.equal(fromHalf(0x3555), 0.333251953125);
  assert.ok(Number.isNaN(fromHalf(toHalf(NaN))));
  for (const v of [0, 0.5, 999, 981, -0.0001220703125, 6.103515625e-5]) assert.equal(fromHalf(toHalf(v)), v);
});

test("cast converts float32 ↔ int64/int32/float16 and is a no-op for the same dtype", () => {
  const t = tensor("float32", Float32Array.from([1, 2.6, 999]), [3]);
  assert.equal(cast(t, "float32"), t);
  assert.deepEqual(Array.from(cast(t, "int64").data as BigInt64Array), [1n, 3n, 999n]);
  assert.deepEqual(Array.from(cast(t, "int32").data as Int32Array), [1, 3, 999]);
  assert.deepEqual(Array.from(asFloat32(cast(tensor("int64", BigInt64Array.from([5n, -7n]), [2]), "float16"))), [5, -7]);
  assert.deepEqual(cast(t, "float16").dims, [3]);
});

test("concat0 and split0 are inverses along the batch axis", () => {
  const a = tensor("float32", Float32Array.from([1, 2, 3, 4]), [1, 2, 2]);
  const b = tensor("float32", Float32Array.from([5, 6, 7, 8]), [1, 2, 2]);
  const ab = concat0([a, b]);
  assert.deepEqual(ab.dims, [2, 2, 2]);
  const [a2, b2] = split0(ab, 2);
  assert.deepEqual(a2, a);
  assert.deepEqual(b2, b);
  assert.throws(() => concat0([a, tensor("float32", new Float32Array(3), [1, 3])]), /differ/);
  assert.throws(() => split0(tensor("float32", new Float32Array(3), [3]), 2), /not divisible/);
});
