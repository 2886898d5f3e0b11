// The tiny VAE's VJP graphs must be exact: compare them (through the scaled wrappers) with
// central finite differences of the forward graphs, per coordinate and along random directions.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/engine/util/rng.js";
import { f32 } from "../../src/engine/models/tensor.js";
import type { Tensor } from "../../src/engine/models/backend.js";
import { vaeDecode, vaeDecodeVjp, vaeEncode, vaeEncodeVjp } from "../../src/engine/models/index.js";
import { createNodeBackend } from "./backend-node.js";

const backend = await createNodeBackend({ profile: "tiny" });
after(() => backend.dispose());
const rng = new Rng(5);
const randn = (dims: number[], s = 1) => f32(rng.normals(dims.reduce((a, b) => a * b, 1)).map((v) => v * s), dims);
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};
const shifted = (x: Tensor, dir: Float32Array, eps: number) => f32((x.data as Float32Array).map((v, i) => v + eps * dir[i]!), x.dims);

/** d/dε ⟨g, f(x + ε·dir)⟩ at ε = 0 by central differences (float64 accumulation). */
async function fd(f: (x: Tensor) => Promise<Tensor>, x: Tensor, g: Tensor, dir: Float32Array, eps: number): Promise<number> {
  const plus = await f(shifted(x, dir, eps));
  const minus = await f(shifted(x, dir, -eps));
  return (dot(g.data as Float32Array, plus.data as Float32Array) - dot(g.data as Float32Array, minus.data as Float32Array)) / (2 * eps);
}

async function checkVjp(
  f: (x: Tensor) => Promise<Tensor>,
  vjp: (x: Tensor, g: Tensor) => Promise<Tensor>,
  x: Tensor,
  outDims: number[],
  eps: number,
  coords: number[],
) {
  const g = randn(outDims);
  const grad = (await vjp(x, g)).data as Float32Array;
  assert.deepEqual(grad.length, x.data.length);
  const scale = Math.max(...grad.map(Math.abs));
  assert.ok(scale > 1e-4, "gradient is (near) zero: the check would be vacuous");
  for (const c of coords) {
    const dir = new Float32Array(x.data.length);
    dir[c] = 1;
    const num = await fd(f, x, g, dir, eps);
    assert.ok(Math.abs(num - grad[c]!) < 2e-3 * scale + 1e-4, `coordinate ${c}: finite difference ${num} vs VJP ${grad[c]}`);
  }
  for (let k = 0; k < 4; k++) {
    const dir = rng.normals(x.data.length);
    const num = await fd(f, x, g, dir, eps);
    const ana = dot(grad, dir);
    assert.ok(Math.abs(num - ana) < 2e-3 * Math.abs(ana) + 2e-3 * scale, `direction ${k}: finite difference ${num} vs VJP ${ana}`);
  }
}

test("vaeDecodeVjp agrees with finite differences of vaeDecode (every latent coordinate)", async () => {
  const z = randn([1, 4, 2, 3], 0.3);
  await checkVjp((x) => vaeDecode(backend, x), (x, g) => vaeDecodeVjp(backend, x, g), z, [1, 3, 16, 24], 1e-3, [...Array(24).keys()]);
});

test("vaeEncodeVjp agrees with finite differences of vaeEncode", async () => {
  const img = randn([1, 3, 16, 16], 0.5);
  const coords = Array.from({ length: 24 }, () => rng.int(0, 3 * 16 * 16 - 1));
  await checkVjp((x) => vaeEncode(backend, x), (x, g) => vaeEncodeVjp(backend, x, g), img, [1, 4, 2, 2], 1e-2, coords);
});

test("the decoder VJP handles batch 2 sample by sample", async () => {
  const z = randn([2, 4, 2, 2], 0.3);
  const g = randn([2, 3, 16, 16]);
  const both = (await vaeDecodeVjp(backend, z, g)).data as Float32Array;
  const first = (await vaeDecodeVjp(backend, f32((z.data as Float32Array).slice(0, 16), [1, 4, 2, 2]), f32((g.data as Float32Array).slice(0, 768), [1, 3, 16, 16]))).data as Float32Array;
  for (let i = 0; i < 16; i++) assert.ok(Math.abs(both[i]! - first[i]!) < 1e-6);
});
