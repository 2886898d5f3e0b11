import { test } from "node:test";
import assert from "node:assert/strict";
import { kid } from "../../../src/engine/metrics/kid.js";
import { Rng } from "../../../src/engine/util/rng.js";

// An independent, deliberately plain MMD²: arrays of rows, the kernel written out, every
// pair visited (including i = j, which are then subtracted).
function naiveMmd2(X: number[][], Y: number[][]): number {
  const d = X[0]!.length;
  const k = (a: number[], b: number[]) => (a.reduce((s, v, i) => s + v * b[i]!, 0) / d + 1) ** 3;
  const sumAll = (A: number[][], B: number[][]) => A.reduce((s, a) => s + B.reduce((t, b) => t + k(a, b), 0), 0);
  const diag = (A: number[][]) => A.reduce((s, a) => s + k(a, a), 0);
  const n = X.length, m = Y.length;
  return (sumAll(X, X) - diag(X)) / (n * (n - 1)) + (sumAll(Y, Y) - diag(Y)) / (m * (m - 1)) - (2 * sumAll(X, Y)) / (n * m);
}

function features(rng: Rng, rows: number, dim: number, shift = 0): { flat: Float32Array; rows: number[][] } {
  const flat = new Float32Array(rows * dim);
  for (let i = 0; i < flat.length; i++) flat[i] = rng.normal() + shift;
  const list = Array.from({ length: rows }, (_, r) => Array.from(flat.subarray(r * dim, (r + 1) * dim)));
  return { flat, rows: list };
}

test("KID over full sets equals the plain O(n²) MMD² (equal and unequal sizes)", () => {
  const rng = new Rng(5);
  const x = features(rng, 30, 8), y = features(rng, 22, 8, 0.3);
  const expected = naiveMmd2(x.rows, y.rows);
  for (const subsets of [1, 3]) {
    const r = kid(x.flat, y.flat, 8, { subsetSize: [30, 22], subsets, rng: new Rng(1) });
    for (const v of r.values) assert.ok(Math.abs(v - expected) < 1e-9 * Math.max(1, Math.abs(expected)), `${v} vs ${expected}`);
    assert.ok(r.std < 1e-9);
  }
  const eq = features(rng, 25, 8, 0.5);
  const r = kid(x.flat.subarray(0, 25 * 8), eq.flat, 8, { subsetSize: 25, subsets: 2, rng: new Rng(2) });
  assert.ok(Math.abs(r.mean - naiveMmd2(x.rows.slice(0, 25), eq.rows)) < 1e-9);
});

test("KID on subsets: each value is the MMD² of some subsets; seeded; ~0 for one distribution, > 0 when shifted", () => {
  const rng = new Rng(9);
  const a = features(rng, 200, 16), b = features(rng, 200, 16), shifted = features(rng, 200, 16, 0.5);
  const same = kid(a.flat, b.flat, 16, { subsetSize: 50, subsets: 50, rng: new Rng(3) });
  const diff = kid(a.flat, shifted.flat, 16, { subsetSize: 50, subsets: 50, rng: new Rng(3) });
  assert.equal(same.values.length, 50);
  assert.ok(Math.abs(same.mean) < 3 * same.std / Math.sqrt(50) + 0.01, `same-distribution KID ${same.mean} ± ${same.std}`);
  assert.ok(diff.mean > 10 * Math.abs(same.mean) && diff.mean - 3 * diff.std > 0, `shifted KID ${diff.mean} ± ${diff.std}`);
  const again = kid(a.flat, b.flat, 16, { subsetSize: 50, subsets: 50, rng: new Rng(3) });
  assert.deepEqual(again.values, same.values);
  // The std is the population std of the values.
  const m = same.values.reduce((s, v) => s + v, 0) / 50;
  assert.ok(Math.abs(same.std - Math.sqrt(same.values.reduce((s, v) => s + (v - m) ** 2, 0) / 50)) < 1e-15);
});

test("the cached and on-demand kernel paths agree", () => {
  const rng = new Rng(4);
  const a = features(rng, 40, 4), b = features(rng, 40, 4, 0.2);
  const cached = kid(a.flat, b.flat, 4, { subsetSize: 10, subsets: 5, rng: new Rng(8) });
  // One subset takes the on-demand path; its value must equal the cached run's first value.
  const direct = kid(a.flat, b.flat, 4, { subsetSize: 10, subsets: 1, rng: new Rng(8) });
  assert.ok(Math.abs(direct.values[0]! - cached.values[0]!) < 1e-12);
});

test("KID rejects bad shapes and sizes with messages", () => {
  const rng = new Rng(1);
  assert.throws(() => kid(new Float32Array(10), new Float32Array(12), 4, { rng }), /whole rows of 4/);
  assert.throws(() => kid(new Float32Array(12), new Float32Array(12), 4, { rng, subsetSize: 5 }), /exceeds/);
  assert.throws(() => kid(Float32Array.of(0, NaN, 0, 0), new Float32Array(4), 2, { rng }), /non-finite/);
});
