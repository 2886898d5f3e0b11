// reduceBands: each element is the float32 sum of bands 0, 1, …, B−1 in that order, whatever
// the split of [0, 1) among threads and however many bands one pass folds in.
import { test } from "node:test";
import assert from "node:assert/strict";
import { REDUCE_KEYS, everyBuffer, newAcc, reduceBands } from "../../../src/engine/raster/bands.js";
import { reducePlans } from "../../../src/engine/raster/parallel.js";
import { Rng } from "../../../src/engine/util/rng.js";

test("reduceBands = in-order float32 (float64 for clip) sums, for 2–7 bands and any split", () => {
  const shape = { texture: 1001, normalMap: 0, vertexNormals: 37, bitangents: 37, clip: 44 };
  for (let B = 2; B <= 7; B++) {
    const rng = new Rng(B);
    const accs = Array.from({ length: B }, () => newAcc(shape));
    for (const a of accs) for (const x of [a.texture!, a.vertexNormals!, a.bitangents!, a.clip!]) for (let i = 0; i < x.length; i++) x[i] = rng.normal() * 10 ** Math.round(rng.uniform() * 8 - 4);
    const expect = {
      texture: new Float32Array(accs[0]!.texture!), vertexNormals: new Float32Array(accs[0]!.vertexNormals!),
      bitangents: new Float32Array(accs[0]!.bitangents!), clip: new Float64Array(accs[0]!.clip!),
    };
    for (let b = 1; b < B; b++) for (const k of ["texture", "vertexNormals", "bitangents", "clip"] as const) {
      const e = expect[k], a = accs[b]![k]!;
      for (let i = 0; i < e.length; i++) e[i] += a[i]!;
    }
    // Split unevenly and per buffer, as the ParallelRenderer does when one worker takes the normals.
    reduceBands(accs, { ...everyBuffer(0, 0.3), vertexNormals: [0, 1] });
    reduceBands(accs, { ...everyBuffer(0.3, 1), vertexNormals: undefined });
    for (const k of ["texture", "vertexNormals", "bitangents", "clip"] as const) assert.deepEqual(accs[0]![k], expect[k], `${k}, ${B} bands`);
  }
});

test("reducePlans: every buffer's [0, 1) is split among the threads exactly once; with a thread aside, it alone has the normals", () => {
  for (let T = 1; T <= 5; T++) for (const aside of [false, true]) {
    const plans = reducePlans(T, aside);
    assert.equal(plans.length, T);
    for (const key of REDUCE_KEYS) {
      const spans = plans.map((p) => p[key]).filter((r) => r !== undefined).map((r) => [r![0], r![1]]).sort((a, b) => a[0]! - b[0]!);
      assert.equal(spans[0]![0], 0, `${key}, T=${T}: starts at 0`);
      assert.equal(spans.at(-1)![1], 1, `${key}, T=${T}: ends at 1`);
      for (let i = 1; i < spans.length; i++) assert.equal(spans[i]![0], spans[i - 1]![1], `${key}, T=${T}: a gap or overlap`);
    }
    if (aside && T > 1) {
      assert.deepEqual(plans[1]!.vertexNormals, [0, 1]);
      assert.deepEqual(plans[1]!.bitangents, [0, 1]);
      assert.equal(plans[1]!.clip, undefined, "the normals thread leaves the clip gradients to the others");
    }
  }
});
