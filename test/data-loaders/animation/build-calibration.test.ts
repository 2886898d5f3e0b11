// The calibration's arithmetic: a response is freed of the 2-D similarity motion that explains it best.
import { test } from "node:test";
import assert from "node:assert/strict";
import { removeSimilarity } from "../../../data-loaders/animation/build-calibration.js";
import { Rng } from "../../../src/engine/util/rng.js";

test("removeSimilarity removes a shift + scale + in-plane turn entirely and leaves a local motion's own part", () => {
  const rng = new Rng(3);
  const N = 200;
  const at = Float64Array.from({ length: N * 2 }, () => rng.range(-8, 8));
  // Pure similarity: (tx, ty) + a·(x, y) + b·(−y, x).
  const rigid = new Float64Array(N * 2);
  for (let i = 0; i < N; i++) { const x = at[i * 2]!, y = at[i * 2 + 1]!; rigid[i * 2] = 0.3 + 0.02 * x - 0.01 * y; rigid[i * 2 + 1] = -0.2 + 0.02 * y + 0.01 * x; }
  const r = Float64Array.from(rigid);
  removeSimilarity(r, at);
  assert.ok(Math.max(...r.map(Math.abs)) < 1e-12, "a similarity motion leaves nothing");
  // A local motion (one landmark moves) plus the similarity: what remains is the local motion
  // minus its own small similarity part, nearly all of it at that landmark.
  const local = Float64Array.from(rigid);
  local[0] += 0.5;
  removeSimilarity(local, at);
  assert.ok(local[0]! > 0.45, `the moved landmark keeps ${local[0]} of 0.5 cm`);
  const elsewhere = Math.max(...local.subarray(2).map(Math.abs));
  assert.ok(elsewhere < 0.02, `other landmarks move ${elsewhere} cm`);
});
