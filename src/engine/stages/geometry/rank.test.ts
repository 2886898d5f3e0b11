import { test } from "node:test";
import assert from "node:assert/strict";
import { combineScores, poolStats, prepareQuery, rankPool, scoreParts, topK, unit } from "./rank.js";
import { Rng } from "../../util/rng.js";

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};
const sub = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a, (x, i) => x - b[i]!);

test("Eq. 3 on hand-made 3-d embeddings matches values worked out by hand", () => {
  // Anchors: mesh anchor along x, "the face" along x too. Prompt: x + y direction.
  const anchors = { meshImage: new Float32Array([2, 0, 0]), text: new Float32Array([1, 0, 0]) };
  const text = new Float32Array([1, 1, 0]);
  const pool = new Float32Array([
    3, 0, 0, // 0: equals the mesh anchor's direction → s_r = 0 (no offset), s_d = 1/√2
    0, 5, 0, // 1: pure y → s_d = 1/√2, Δ = (−1,1,0)/√2 aligned with Δ_t = (1/√2−1, 1/√2, 0)~
    0, 0, 1, // 2: z → s_d = 0
    1, 1, 0, // 3: same direction as the prompt → s_d = 1
  ]);
  const r = rankPool(pool, 3, text, anchors, { lambdaD: 1, lambdaR: 1, k: 4 });
  const s2 = Math.SQRT1_2;
  assert.ok(Math.abs(r.sd[0]! - s2) < 1e-6);
  assert.ok(Math.abs(r.sr[0]!) < 1e-7);
  assert.ok(Math.abs(r.sd[1]! - s2) < 1e-6);
  assert.ok(Math.abs(r.sd[2]!) < 1e-7);
  assert.ok(Math.abs(r.sd[3]! - 1) < 1e-6);
  // Δ_t = (s2 − 1, s2, 0) normalized; Δ_1 = (−1, 1, 0)/√2.
  const dt = unit([s2 - 1, s2, 0]);
  assert.ok(Math.abs(r.sr[1]! - dot(dt, unit([-1, 1, 0]))) < 1e-6);
  // Candidate 3: Δ = (s2 − 1, s2, 0) ∥ Δ_t → s_r = 1, the best overall.
  assert.ok(Math.abs(r.sr[3]! - 1) < 1e-6);
  assert.deepEqual(Array.from(r.index), [3, 1, 0, 2]);
});

test("scores agree with the naive formula on random 768-d pools, any λ", () => {
  const rng = new Rng(7);
  const dim = 768, n = 200;
  const pool = rng.normals(n * dim);
  const anchors = { meshImage: rng.normals(dim), text: rng.normals(dim) };
  const text = rng.normals(dim);
  const et = unit(text), at = unit(anchors.text), am = unit(anchors.meshImage);
  const dt = unit(sub(et, at));
  const r = rankPool(pool, dim, text, anchors, { lambdaD: 0.3, lambdaR: 0.7, k: 5 });
  for (let i = 0; i < n; i++) {
    const ei = unit(pool.subarray(i * dim, (i + 1) * dim));
    const sd = dot(ei, et), sr = dot(unit(sub(ei, am)), dt);
    assert.ok(Math.abs(r.sd[i]! - sd) < 1e-5, `s_d row ${i}`);
    assert.ok(Math.abs(r.sr[i]! - sr) < 1e-5, `s_r row ${i}`);
    assert.ok(Math.abs(r.scores[i]! - (0.3 * sd + 0.7 * sr)) < 1e-5);
  }
  const best = Array.from(r.scores.keys()).sort((a, b) => r.scores[b]! - r.scores[a]!).slice(0, 5);
  assert.deepEqual(Array.from(r.index), best);
});

test("λ_d = 0 ranks by the relative term only; λ_r = 0 by the direct term only", () => {
  const rng = new Rng(3);
  const dim = 16, n = 50;
  const pool = rng.normals(n * dim);
  const anchors = { meshImage: rng.normals(dim), text: rng.normals(dim) };
  const text = rng.normals(dim);
  const stats = poolStats(pool, dim, anchors.meshImage);
  const parts = scoreParts(pool, dim, stats, prepareQuery(text, anchors));
  const onlyR = topK(combineScores(parts, 0, 1), 3);
  const onlyD = topK(combineScores(parts, 1, 0), 3);
  assert.deepEqual(Array.from(onlyR.index), Array.from(topK(parts.sr, 3).index));
  assert.deepEqual(Array.from(onlyD.index), Array.from(topK(parts.sd, 3).index));
  assert.notDeepEqual(Array.from(onlyR.index), Array.from(onlyD.index));
});

test("topK: best first, ties to the lower index, k larger than N, NaN skipped", () => {
  const s = new Float32Array([0.5, 0.9, 0.5, NaN, -1, 0.9]);
  assert.deepEqual(Array.from(topK(s, 3).index), [1, 5, 0]);
  assert.deepEqual(Array.from(topK(s, 10).index), [1, 5, 0, 2, 4]);
  assert.equal(topK(s, 0).index.length, 0);
});

test("rankPool names the problem for mismatched dimensions", () => {
  const anchors = { meshImage: new Float32Array(4), text: new Float32Array(4) };
  assert.throws(() => rankPool(new Float32Array(10), 4, new Float32Array(4), anchors, { lambdaD: 1, lambdaR: 1, k: 1 }), /whole number of 4-d rows/);
  assert.throws(() => rankPool(new Float32Array(8), 4, new Float32Array(3), anchors, { lambdaD: 1, lambdaR: 1, k: 1 }), /prompt embedding has 3 values/);
});
