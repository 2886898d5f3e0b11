// Face model costs: cold OBJ parse vs the binary cache, and synthesis per call. Peers: the cold
// parse for the cached load; a naive dense synthesis (every mode, mode-inner loop) for ours.
import { readFileSync } from "node:fs";
import { loadFaceModel, lastFaceLoadInfo } from "../data-loaders/face/load.js";
import { parseIctFolder } from "../data-loaders/face/parse.js";
import { decodeFaceModel, encodeFaceModel } from "../src/engine/face/binary.js";
import { synthesize } from "../src/engine/face/synthesize.js";
import { vertexNormals } from "../src/engine/face/normals.js";
import { writeGlb } from "../src/engine/export/gltf.js";
import { faceGlbAsset } from "../src/engine/export/face-asset.js";
import type { FaceModel } from "../src/engine/face/types.js";
import { Rng } from "../src/engine/util/rng.js";
import { ratioLine, report, time } from "./lib.js";

const model = await loadFaceModel();
const info = lastFaceLoadInfo()!;
if (info.from !== "cache") await loadFaceModel(); // make sure the cache file exists for the warm runs

const cold = await time("cold OBJ parse", () => parseIctFolder(info.dir), { runs: 3, warmup: 0 });
const warm = await time("cached load (read + decode)", () => decodeFaceModel(readFileSync(info.cachePath)), { runs: 10, warmup: 1 });
const encode = await time("encode full model", () => encodeFaceModel(model), { runs: 5, warmup: 1 });

/** The obvious implementation: every coordinate sums all 153 modes, zeros included. */
function naiveDense(m: FaceModel, identity: Float32Array, expression: Float32Array, n: number, out: Float32Array): void {
  for (let i = 0; i < n; i++) {
    let x = m.neutral[i]!;
    for (let k = 0; k < identity.length; k++) x += identity[k]! * m.identityModes[k]![i]!;
    for (let j = 0; j < expression.length; j++) x += expression[j]! * m.expressionModes[j]![i]!;
    out[i] = x;
  }
}

const rng = new Rng(1);
const denseId = Float32Array.from({ length: 100 }, () => rng.normal());
const denseEx = Float32Array.from({ length: 53 }, () => rng.uniform());
const sparseId = new Float32Array(100);
sparseId[0] = 1; sparseId[5] = -0.5;
const sparseEx = new Float32Array(53);
sparseEx[26] = 0.7;

const results: Record<string, unknown> = { load: { cold, warm, encode, cacheBytes: readFileSync(info.cachePath).length } };
const lines = [ratioLine("cached load vs cold parse", warm, cold)];
for (const region of ["dreamface", "full"] as const) {
  const n = model.regions[region].vertexCount * 3;
  const out = new Float32Array(n);
  const oursDense = await time(`synthesize ${region}, 153 nonzero`, () => synthesize(model, { identity: denseId, expression: denseEx, region }, out), { runs: 20 });
  const oursSparse = await time(`synthesize ${region}, 3 nonzero`, () => synthesize(model, { identity: sparseId, expression: sparseEx, region }, out), { runs: 50 });
  const naive = await time(`naive dense ${region}`, () => naiveDense(model, denseId, denseEx, n, out), { runs: 10 });
  const naiveSparse = await time(`naive dense ${region}, 3 nonzero`, () => naiveDense(model, sparseId, sparseEx, n, out), { runs: 10 });
  const normals = await time(`vertexNormals ${region}`, () => vertexNormals(out, model.regions[region].triangles), { runs: 20 });
  lines.push(ratioLine(`synthesize ${region} (153 nonzero)`, oursDense, naive));
  lines.push(ratioLine(`synthesize ${region} (3 nonzero)`, oursSparse, naiveSparse));
  results[region] = { oursDense, oursSparse, naive, naiveSparse, normals };
}
const glb = await time("faceGlbAsset + writeGlb (dreamface, 53 targets)", () => writeGlb(faceGlbAsset(model, { identity: sparseId, expression: sparseEx })), { runs: 3, warmup: 1 });
console.log(`glb export: ${glb.medianMs.toFixed(1)} ms`);
results.glb = glb;
report("face", { ...results, ratios: lines });
