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

test("Eq. 3 on hand-made 3-d embeddings matches values worked out by hand (subtract, then normalise)", () => {
  // Anchors: mesh anchor 2·x, "the face" x. Prompt x + y, so Δe_t = e_t − ē_t = (0, 1, 0).
  // (Normalising first would give Δ_t ∝ (1/√2 − 1, 1/√2, 0) instead.)
  const anchors = { meshImage: new Float32Array([2, 0, 0]), text: new Float32Array([1, 0, 0]) };
  const text = new Float32Array([1, 1, 0]);
  const pool = new Float32Array([
    3, 0, 0, // 0: Δ = (1, 0, 0) ⟂ Δ_t → s_r = 0; s_d = 1/√2
    0, 5, 0, // 1: Δ = (−2, 5, 0) → s_r = 5/√29; s_d = 1/√2
    0, 0, 1, // 2: Δ = (−2, 0, 1) → s_r = 0; s_d = 0
    1, 1, 0, // 3: Δ = (−1, 1, 0) → s_r = 1/√2; s_d = 1
    2, 1, 0, // 4: Δ = (0, 1, 0) ∥ Δ_t → s_r = 1; s_d = 3/√10
  ]);
  const r = rankPool(pool, 3, text, anchors, { lambdaD: 1, lambdaR: 1, k: 5 });
  const s2 = Math.SQRT1_2;
  const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-6, `${what}: ${a} vs ${b}`);
  close(r.sd[0]!, s2, "s_d 0"); close(r.sr[0]!, 0, "s_r 0");
  close(r.sd[1]!, s2, "s_d 1"); close(r.sr[1]!, 5 / Math.sqrt(29), "s_r 1");
  close(r.sd[2]!, 0, "s_d 2"); close(r.sr[2]!, 0, "s_r 2");
  close(r.sd[3]!, 1, "s_d 3"); close(r.sr[3]!, s2, "s_r 3");
  close(r.sd[4]!, 3 / Math.sqrt(10), "s_d 4"); close(r.sr[4]!, 1, "s_r 4");
  // Normalising first would give s_r = 1 for candidate 3 (its unit vector minus x̂ is parallel
  // to the prompt's), 0.924 for 1 and 0.987 for 4.
  // s: 0 → 0.707, 1 → 1.636, 2 → 0, 3 → 1.707, 4 → 1.949.
  assert.deepEqual(Array.from(r.index), [4, 3, 1, 0, 2]);
});

/** Eq. 3 written out naively, in the paper's order: Δe = e − ē, then normalise. */
function naive(e: ArrayLike<number>, text: ArrayLike<number>, anchors: { meshImage: ArrayLike<number>; text: ArrayLike<number> }) {
  return { sd: dot(unit(e), unit(text)), sr: dot(unit(sub(e, anchors.meshImage)), unit(sub(text, anchors.text))) };
}

test("scores agree with the naive formula on random 768-d pools of varying lengths, any λ", () => {
  const rng = new Rng(7);
  const dim = 768, n = 200;
  // CLIP embeddings are not unit length; give rows, anchors and prompt different lengths so the
  // order of subtracting and normalising matters.
  const pool = rng.normals(n * dim);
  for (let i = 0; i < n; i++) {
    const scale = 0.5 + (i % 7) * 0.4;
    for (let j = 0; j < dim; j++) pool[i * dim + j]! *= scale;
  }
  const anchors = { meshImage: rng.normals(dim).map((x) => x * 1.7), text: rng.normals(dim).map((x) => x * 0.6) };
  const text = rng.normals(dim).map((x) => x * 1.3);
  const r = rankPool(pool, dim, text, anchors, { lambdaD: 0.3, lambdaR: 0.7, k: 5 });
  let orderMatters = 0;
  for (let i = 0; i < n; i++) {
    const ei = pool.subarray(i * dim, (i + 1) * dim);
    const { sd, sr } = naive(ei, text, anchors);
    assert.ok(Math.abs(r.sd[i]! - sd) < 1e-5, `s_d row ${i}`);
    assert.ok(Math.abs(r.sr[i]! - sr) < 1e-5, `s_r row ${i}`);
    assert.ok(Math.abs(r.scores[i]! - (0.3 * sd + 0.7 * sr)) < 1e-5);
    // The old order (normalise, then subtract) differs on these rows.
    const old = dot(unit(sub(unit(ei), unit(anchors.meshImage))), unit(sub(unit(text), unit(anchors.text))));
    if (Math.abs(old - sr) > 1e-3) orderMatters++;
  }
  assert.ok(orderMatters > n / 2, `the test pool should separate the two orders (${orderMatters}/${n} rows)`);
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
