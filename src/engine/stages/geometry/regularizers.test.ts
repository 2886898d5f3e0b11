import { test } from "node:test";
import assert from "node:assert/strict";
import { buildAdjacency, laplacianLoss, normalMapLoss, shapeLoss, uniformLaplacian } from "./regularizers.js";
import { Rng } from "../../util/rng.js";
import { describe, gradcheck as check } from "../../../../test/helpers/gradcheck.js";

/** The shared checker (test/helpers/gradcheck.ts) on a scalar loss f, probing the given coordinates. */
function gradcheck(f: (x: Float32Array) => number, x: Float32Array, analytic: Float32Array, coords: number[], h = 1e-2) {
  const r = check(
    ({ x }) => ({ out: Float64Array.of(f(x!)) }),
    (_inputs, g) => ({ x: analytic.map((a) => a * g[0]!) }),
    { x },
    { eps: h, indices: { x: coords }, probes: coords.length, minProbes: coords.length, nonzero: false },
  );
  assert.ok(r.ok, describe(r));
}

// A 4×4 vertex grid of 18 triangles: interior and border vertices, varied degrees.
function grid(n: number): Uint32Array {
  const t: number[] = [];
  for (let y = 0; y + 1 < n; y++)
    for (let x = 0; x + 1 < n; x++) {
      const a = y * n + x;
      t.push(a, a + 1, a + n, a + 1, a + n + 1, a + n);
    }
  return Uint32Array.from(t);
}

test("shapeLoss gradient matches finite differences", () => {
  const rng = new Rng(1);
  const beta = rng.normals(100), star = rng.normals(100);
  const g = new Float32Array(100);
  const loss = shapeLoss(beta, star, g, 0.5);
  assert.ok(loss > 0);
  gradcheck((b) => 0.5 * shapeLoss(b, star), beta, g, [0, 17, 99]);
  assert.equal(shapeLoss(star, star), 0);
});

test("laplacianLoss gradient matches finite differences on every coordinate", () => {
  const rng = new Rng(2);
  const tri = grid(4);
  const adj = buildAdjacency(tri, 16);
  const coarse = rng.normals(48), carved = rng.normals(48);
  const g = new Float32Array(48);
  laplacianLoss(adj, carved, coarse, g, 2);
  gradcheck((x) => 2 * laplacianLoss(adj, x, coarse), carved, g, Array.from({ length: 48 }, (_, i) => i));
});

test("laplacianLoss ignores a rigid translation and penalizes a bump", () => {
  const tri = grid(4);
  const adj = buildAdjacency(tri, 16);
  const coarse = new Float32Array(48);
  for (let v = 0; v < 16; v++) coarse.set([v % 4, Math.floor(v / 4), 0], 3 * v);
  const moved = coarse.map((c, i) => (i % 3 === 2 ? c + 5 : c));
  assert.ok(laplacianLoss(adj, moved, coarse) < 1e-10);
  const bumped = coarse.slice();
  bumped[3 * 5 + 2] = 1; // interior vertex
  assert.ok(laplacianLoss(adj, bumped, coarse) > 0.05);
  // The uniform Laplacian of a flat regular interior vertex is zero.
  const lap = uniformLaplacian(adj, coarse);
  assert.ok(Math.abs(lap[3 * 5]!) < 1e-6 && Math.abs(lap[3 * 5 + 2]!) < 1e-6);
});

test("normalMapLoss gradient matches finite differences (3 channels, non-square)", () => {
  const rng = new Rng(3);
  const w = 5, h = 4, c = 3;
  const map = rng.normals(w * h * c);
  const g = new Float32Array(map.length);
  const terms = normalMapLoss(map, w, h, c, g, 0.7);
  assert.ok(Math.abs(terms.total - terms.laplacian - terms.gradient) < 1e-9);
  gradcheck((x) => 0.7 * normalMapLoss(x, w, h, c).total, map, g, Array.from({ length: map.length }, (_, i) => i));
});

test("normalMapLoss is zero for a constant map and positive for a checkerboard", () => {
  const flat = new Float32Array(8 * 8 * 3);
  for (let i = 0; i < flat.length; i += 3) flat.set([0, 0, 1], i);
  assert.equal(normalMapLoss(flat, 8, 8, 3).total, 0);
  const checker = flat.slice();
  for (let p = 0; p < 64; p++) if ((p + Math.floor(p / 8)) % 2) checker[3 * p] = 0.5;
  assert.ok(normalMapLoss(checker, 8, 8, 3).total > 0.1);
});

test("regularizers name shape mismatches", () => {
  assert.throws(() => shapeLoss(new Float32Array(3), new Float32Array(4)), /β has 3 values, β\* has 4/);
  assert.throws(() => normalMapLoss(new Float32Array(5), 2, 2, 3), /expected 2×2×3/);
  assert.throws(() => buildAdjacency(Uint32Array.from([0, 1, 9]), 4), /beyond 3/);
});
