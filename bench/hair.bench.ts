// Hair costs: building the whole procedural library on a head, fitting an artist mesh (grid
// nearest-vertex search; peer: brute force over the scalp), and the renders of one selection
// (9 styles + 10 colours × 3 views at CLIP's 224², scorer excluded).
import { loadFaceModel } from "../data-loaders/face/load.js";
import { synthesize } from "../src/engine/face/synthesize.js";
import { buildAllStyles, buildStyle, styleByName } from "../src/engine/stages/geometry/hair/styles.js";
import { fitHairToHead } from "../src/engine/stages/geometry/hair/fit.js";
import { SCALP_VERTEX_END } from "../src/engine/stages/geometry/hair/scalp.js";
import { selectHair, type HairCandidate } from "../src/engine/stages/geometry/hair/select.js";
import type { HairMesh } from "../src/engine/stages/geometry/hair/mesh.js";
import { ratioLine, report, time } from "./lib.js";

const model = await loadFaceModel();
const neutral = model.neutral;
const head = { positions: synthesize(model, { region: "dreamface", identity: [1, -1, 0.5] }), triangles: model.regions.dreamface.triangles, landmarks68: model.landmarks68 };
const other = synthesize(model, { identity: [2, 1, -1] });
const neutralHead = { ...head, positions: synthesize(model, { region: "dreamface" }) };
const artist = buildStyle(neutralHead, styleByName("long straight"));

/** The obvious fit: scan every scalp-capable vertex for each hair vertex. */
function bruteFit(hair: HairMesh, from: Float32Array, to: Float32Array): Float32Array {
  const out = new Float32Array(hair.positions.length);
  for (let i = 0; i < out.length; i += 3) {
    let best = 0, bestD = Infinity;
    for (let v = 0; v <= SCALP_VERTEX_END; v++) {
      const d = (from[3 * v]! - hair.positions[i]!) ** 2 + (from[3 * v + 1]! - hair.positions[i + 1]!) ** 2 + (from[3 * v + 2]! - hair.positions[i + 2]!) ** 2;
      if (d < bestD) { bestD = d; best = v; }
    }
    for (let k = 0; k < 3; k++) out[i + k] = hair.positions[i + k]! + to[3 * best + k]! - from[3 * best + k]!;
  }
  return out;
}

const build = await time("build 9 procedural styles", () => buildAllStyles(head), { runs: 5, warmup: 1 });
const fit = await time("fit (grid)", () => fitHairToHead(artist, neutral, other), { runs: 5, warmup: 1 });
const brute = await time("brute-force fit", () => bruteFit(artist, neutral, other), { runs: 3, warmup: 1 });
const candidates: HairCandidate[] = buildAllStyles(head).map((s) => ({ ...s, source: "procedural" }));
const renders = await time("selection renders (57 × 224²)", () => selectHair({ head, candidates, scorer: () => 0 }), { runs: 2, warmup: 0 });

console.log(`${build.name}: ${build.medianMs.toFixed(1)} ms; ${renders.name}: ${renders.medianMs.toFixed(0)} ms`);
const line = ratioLine(`fit ${artist.positions.length / 3} hair vertices to a new head`, fit, brute);
report("hair", { timings: [build, fit, brute, renders], ratio: line, hairVertices: artist.positions.length / 3 });
