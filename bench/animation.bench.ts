// Landmark fitting speed (frames per second) on a synthetic 2-s, 30-fps sequence made from ICT
// with known weights and pose. Ours: bounded projected Gauss–Newton, cold (each frame from
// scratch) and warm (tracking: previous frame as start + temporal prior). Peer, same run and data:
// the same Gauss–Newton with unconstrained least-squares steps (Cholesky, no bounds), cold.
import { loadFaceModel } from "../data-loaders/face/load.js";
import { loadCorrespondence } from "../data-loaders/animation/correspondence.js";
import { landmarkBasis } from "../src/engine/stages/animation/correspondence.js";
import { fitLandmarks, projectLandmarks, rotationFromEuler, type FitResult } from "../src/engine/stages/animation/fit.js";
import { sampleClip } from "../src/engine/stages/animation/clip.js";
import { demoClip } from "../src/engine/stages/animation/demoClip.js";
import { ratioLine, report, time } from "./lib.js";

const model = await loadFaceModel();
const basis = landmarkBasis(model, loadCorrespondence());
const clip = demoClip(model.expressionNames);
const FPS = 30, COUNT = 60;
const frames = Array.from({ length: COUNT }, (_, f) => {
  const t = f / FPS;
  const weights = sampleClip(clip, t * 1.5);
  const pose = { rotation: rotationFromEuler(15 * Math.sin(t * 2), 8 * Math.sin(t * 3), 4 * Math.sin(t)), translation: [320, -240, 0] as [number, number, number], scale: 9 };
  return { weights, points: projectLandmarks(basis, weights, pose, 2) };
});

function run(mode: "cold" | "warm" | "peer"): { errors: number; lastIterations: number } {
  let previous: FitResult | undefined;
  let errors = 0, lastIterations = 0;
  for (const f of frames) {
    const fit = fitLandmarks(basis, { points: f.points, dims: 2 }, mode === "warm" ? { previous, temporal: 0.002 } : mode === "peer" ? { bounded: false } : {});
    previous = fit;
    lastIterations = fit.iterations;
    for (let j = 0; j < f.weights.length; j++) errors += Math.abs(fit.weights[j]! - f.weights[j]!) / (f.weights.length * frames.length);
  }
  return { errors, lastIterations };
}

const quality = { cold: run("cold"), warm: run("warm"), peer: run("peer") };
const cold = await time("ours cold (bounded, from scratch)", () => run("cold"), { runs: 3, warmup: 1 });
const warm = await time("ours warm (bounded, tracking)", () => run("warm"), { runs: 3, warmup: 1 });
const peer = await time("unconstrained LS peer (cold)", () => run("peer"), { runs: 3, warmup: 1 });
const fps = (t: { medianMs: number }) => (COUNT * 1000) / t.medianMs;
for (const [name, t] of [["cold", cold], ["warm", warm], ["peer", peer]] as const) {
  console.log(`${name}: ${fps(t).toFixed(1)} frames/s, mean abs weight error ${quality[name].errors.toFixed(4)}`);
}
const lines = [ratioLine("fitting, cold", cold, peer), ratioLine("fitting, warm (tracking)", warm, peer)];
report("animation", {
  frames: COUNT,
  landmarks: basis.count,
  expressions: basis.modes.length,
  framesPerSecond: { oursCold: fps(cold), oursWarm: fps(warm), unconstrainedPeer: fps(peer) },
  meanAbsWeightError: { oursCold: quality.cold.errors, oursWarm: quality.warm.errors, unconstrainedPeer: quality.peer.errors },
  timings: [cold, warm, peer],
  ratios: lines,
});
