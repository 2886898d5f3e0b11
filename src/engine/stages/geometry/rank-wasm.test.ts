import { test } from "node:test";
import assert from "node:assert/strict";
import { WasmPool, dotKernelBytes, wasmSimdSupported } from "./rank-wasm.js";
import { combineScores, poolStats, prepareQuery, rankPool, scoreParts, topK } from "./rank.js";
import { Rng } from "../../util/rng.js";

test("the SIMD kernel validates on this runtime", () => {
  assert.ok(WebAssembly.validate(dotKernelBytes(false)));
  assert.ok(WebAssembly.validate(dotKernelBytes(true)));
  assert.equal(wasmSimdSupported(), true);
});

test("WasmPool scores equal the JS kernel's to float rounding, any row range", () => {
  const rng = new Rng(11);
  const dim = 768, n = 300;
  // Rows of varying length: Eq. 3 subtracts the raw anchor before normalising, so the kernel's
  // raw dot products must not be rescaled by 1/‖e_i‖ in s_r.
  const pool = rng.normals(n * dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) pool[i * dim + j]! *= 0.5 + (i % 5) * 0.5;
  const anchors = { meshImage: rng.normals(dim).map((x) => x * 2), text: rng.normals(dim) };
  const text = rng.normals(dim);
  const stats = poolStats(pool, dim, anchors.meshImage);
  const q = prepareQuery(text, anchors);
  const js = scoreParts(pool, dim, stats, q);
  const wp = WasmPool.fromEmbeddings(pool, dim);
  const out = { sd: new Float32Array(n), sr: new Float32Array(n) };
  wp.scoreParts(stats, q, out, 0, 120);
  wp.scoreParts(stats, q, out, 120, n, 3);
  for (let i = 0; i < n; i++) {
    assert.ok(Math.abs(out.sd[i]! - js.sd[i]!) < 1e-5, `s_d ${i}`);
    assert.ok(Math.abs(out.sr[i]! - js.sr[i]!) < 1e-5, `s_r ${i}`);
  }
  // And both follow the paper's order: s_r = (e_i − ē_i)~·(e_t − ē_t)~.
  const unitOf = (v: ArrayLike<number>) => { const l = Math.hypot(...Array.from(v)); return Array.from(v, (x) => x / l); };
  const dt = unitOf(Array.from(text, (x, j) => x - anchors.text[j]!));
  for (const i of [0, 7, 151, n - 1]) {
    const d = unitOf(Array.from(pool.subarray(i * dim, (i + 1) * dim), (x, j) => x - anchors.meshImage[j]!));
    const sr = d.reduce((s, x, j) => s + x * dt[j]!, 0);
    assert.ok(Math.abs(out.sr[i]! - sr) < 1e-5, `wasm s_r ${i} vs the naive formula`);
  }
  assert.deepEqual(topK(combineScores(out, 1, 1), 10).index, rankPool(pool, dim, text, anchors, { lambdaD: 1, lambdaR: 1, k: 10 }).index);
});

test("WasmPool refuses what the kernel can't do", () => {
  assert.throws(() => WasmPool.fromEmbeddings(new Float32Array(10), 5), /multiple of 4/);
  const wp = WasmPool.fromEmbeddings(new Float32Array(8), 4);
  const stats = poolStats(new Float32Array(8), 4, [1, 0, 0, 0]);
  assert.throws(() => wp.scoreParts(stats, prepareQuery([1, 0, 0, 0], { meshImage: new Float32Array(4), text: new Float32Array([0, 1, 0, 0]) }), { sd: new Float32Array(2), sr: new Float32Array(2) }, 0, 2, 16), /query slot 16/);
});
