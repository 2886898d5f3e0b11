// reduceBands: each element is the float32 sum of bands 0, 1, …, B−1 in that order, whatever
// the split of [0, 1) among threads and however many bands one pass folds in.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newAcc, reduceBands } from "../../../src/engine/raster/bands.js";
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
    reduceBands(accs, 0, 0.3);
    reduceBands(accs, 0.3, 1);
    for (const k of ["texture", "vertexNormals", "bitangents", "clip"] as const) assert.deepEqual(accs[0]![k], expect[k], `${k}, ${B} bands`);
  }
});
