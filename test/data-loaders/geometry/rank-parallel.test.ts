import { test } from "node:test";
import assert from "node:assert/strict";
import { ParallelRanker } from "../../../data-loaders/geometry/rank-parallel.js";
import { rankPool } from "../../../src/engine/stages/geometry/rank.js";
import { WasmPool } from "../../../src/engine/stages/geometry/rank-wasm.js";
import { Rng } from "../../../src/engine/util/rng.js";

const rng = new Rng(5);
const dim = 64, n = 5000;
const pool = rng.normals(n * dim);
const anchors = { meshImage: rng.normals(dim), text: rng.normals(dim) };
const text = rng.normals(dim);
const expected = rankPool(pool, dim, text, anchors, { lambdaD: 0.5, lambdaR: 1.5, k: 20 });

for (const kernel of ["js", "wasm"] as const) {
  test(`worker threads (${kernel} kernel) give the single-threaded top k and scores`, async () => {
    const ranker = await ParallelRanker.create(pool, dim, anchors.meshImage, { threads: 3, kernel });
    try {
      assert.equal(ranker.kernel, kernel);
      const got = await ranker.rank(text, anchors, { lambdaD: 0.5, lambdaR: 1.5, k: 20 });
      assert.deepEqual(Array.from(got.index), Array.from(expected.index));
      for (let i = 0; i < 20; i++) assert.ok(Math.abs(got.score[i]! - expected.score[i]!) < 1e-5);
      for (let i = 0; i < n; i += 97) assert.ok(Math.abs(ranker.parts.sd[i]! - expected.sd[i]!) < 1e-5);
      // A second query on the same workers (another λ) re-ranks without re-reading the pool.
      const again = await ranker.rank(text, anchors, { lambdaD: 1, lambdaR: 0, k: 5 });
      assert.deepEqual(Array.from(again.index), Array.from(rankPool(pool, dim, text, anchors, { lambdaD: 1, lambdaR: 0, k: 5 }).index));
    } finally {
      await ranker.close();
    }
  });
}

test("a shared WasmPool is used in place; an unshared one is refused", async () => {
  const wp = WasmPool.fromEmbeddings(pool, dim, { shared: true });
  const ranker = await ParallelRanker.create(wp, dim, anchors.meshImage, { threads: 2 });
  const got = await ranker.rank(text, anchors, { lambdaD: 0.5, lambdaR: 1.5, k: 20 });
  await ranker.close();
  assert.deepEqual(Array.from(got.index), Array.from(expected.index));
  await assert.rejects(ParallelRanker.create(WasmPool.fromEmbeddings(pool, dim), dim, anchors.meshImage, { kernel: "wasm" }), /shared: true/);
});
