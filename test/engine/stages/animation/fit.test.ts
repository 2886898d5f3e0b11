// Synthetic landmarks from ICT with known weights and pose must be fitted back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loadFaceModel } from "../../../../data-loaders/face/load.js";
import { CORRESPONDENCE_PATH } from "../../../../data-loaders/animation/build-correspondence.js";
import { correspondenceFromJson, landmarkBasis, type LandmarkBasis } from "../../../../src/engine/stages/animation/correspondence.js";
import { fitLandmarks, projectLandmarks, rotationFromEuler, type HeadPose } from "../../../../src/engine/stages/animation/fit.js";
import { Rng } from "../../../../src/engine/util/rng.js";

const model = await loadFaceModel();
const basis = landmarkBasis(model, correspondenceFromJson(JSON.parse(readFileSync(CORRESPONDENCE_PATH, "utf8"))));

function synthetic(rng: Rng, active: number): { weights: Float32Array; pose: HeadPose } {
  const J = basis.modes.length;
  const weights = new Float32Array(J);
  for (let k = 0; k < active; k++) weights[rng.int(0, J - 1)] = rng.range(0.2, 1);
  const pose: HeadPose = {
    rotation: rotationFromEuler(rng.range(-25, 25), rng.range(-15, 15), rng.range(-10, 10)),
    translation: [rng.range(200, 300), rng.range(-300, -200), 0],
    scale: rng.range(8, 20),
  };
  return { weights, pose };
}

function meanAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

test("fitLandmarks recovers known weights and pose from 2-D landmarks (mean abs weight error < 0.05)", () => {
  const rng = new Rng(7);
  for (let trial = 0; trial < 4; trial++) {
    const truth = synthetic(rng, 8);
    const points = projectLandmarks(basis, truth.weights, truth.pose, 2);
    const fit = fitLandmarks(basis, { points, dims: 2 }, { iterations: 30 });
    const err = meanAbs(fit.weights, truth.weights);
    assert.ok(err < 0.05, `trial ${trial}: mean abs weight error ${err.toFixed(4)}`);
    assert.ok(fit.weights.every((w) => w >= 0 && w <= 1), "weights stay in [0, 1]");
    assert.ok(Math.abs(fit.pose.scale / truth.pose.scale - 1) < 0.03, `scale ${fit.pose.scale} vs ${truth.pose.scale}`);
    assert.ok(fit.rmse < 0.05 * truth.pose.scale, `rmse ${fit.rmse}`);
  }
});

test("fitLandmarks with 3-D landmarks and noise stays close", () => {
  const rng = new Rng(11);
  const truth = synthetic(rng, 6);
  const points = projectLandmarks(basis, truth.weights, truth.pose, 3);
  for (let i = 0; i < points.length; i++) points[i] += rng.normal() * 0.02 * truth.pose.scale; // 0.2 mm noise
  const fit = fitLandmarks(basis, { points, dims: 3 });
  assert.ok(meanAbs(fit.weights, truth.weights) < 0.05);
});

test("warm start from the previous frame converges in fewer iterations", () => {
  const rng = new Rng(3);
  const truth = synthetic(rng, 5);
  const points = projectLandmarks(basis, truth.weights, truth.pose, 2);
  const cold = fitLandmarks(basis, { points, dims: 2 }, { iterations: 30 });
  const warm = fitLandmarks(basis, { points, dims: 2 }, { previous: cold, iterations: 30 });
  assert.ok(warm.iterations <= cold.iterations, `warm ${warm.iterations} vs cold ${cold.iterations}`);
  assert.ok(meanAbs(warm.weights, truth.weights) < 0.05);
});

test("unbounded fit leaves [0, 1] on the same data, the bounded fit does not", () => {
  const rng = new Rng(5);
  const truth = synthetic(rng, 8);
  const points = projectLandmarks(basis, truth.weights, truth.pose, 2);
  for (let i = 0; i < points.length; i++) points[i] += rng.normal() * 0.05 * truth.pose.scale;
  const free = fitLandmarks(basis, { points, dims: 2 }, { bounded: false, tikhonov: 0 });
  const boxed = fitLandmarks(basis, { points, dims: 2 });
  assert.ok(free.weights.some((w) => w < -1e-3 || w > 1 + 1e-3), "noise pushes some unconstrained weight outside [0, 1]");
  assert.ok(boxed.weights.every((w) => w >= 0 && w <= 1));
});

test("fitLandmarks rejects a wrong landmark count", () => {
  assert.throws(() => fitLandmarks(basis as LandmarkBasis, { points: new Float32Array(10), dims: 2 }), /expected 936 values/);
});

test("with an unknown identity, fitting β too keeps the weights right (and beats the expression-only fit)", () => {
  const withId = landmarkBasis(model, correspondenceFromJson(JSON.parse(readFileSync(CORRESPONDENCE_PATH, "utf8"))), undefined, 10);
  const rng = new Rng(21);
  let errWith = 0, errWithout = 0;
  for (let trial = 0; trial < 3; trial++) {
    const truth = synthetic(rng, 6);
    const beta = Float32Array.from({ length: 10 }, () => rng.normal());
    const points = projectLandmarks(withId, truth.weights, truth.pose, 2, beta);
    const fitWith = fitLandmarks(withId, { points, dims: 2 }, { identity: true, iterations: 50 });
    const fitWithout = fitLandmarks(withId, { points, dims: 2 }, { iterations: 50 });
    assert.equal(fitWith.identity?.length, 10);
    errWith += meanAbs(fitWith.weights, truth.weights) / 3;
    errWithout += meanAbs(fitWithout.weights, truth.weights) / 3;
  }
  assert.ok(errWith < 0.05, `with β: mean abs weight error ${errWith.toFixed(4)}`);
  assert.ok(errWith < errWithout, `with β ${errWith.toFixed(4)} vs without ${errWithout.toFixed(4)}`);
});

test("fitLandmarks sparsity (L1) shrinks the total weight, and a huge one zeroes every weight", () => {
  const truth = synthetic(new Rng(11), 6);
  const points = projectLandmarks(basis, truth.weights, truth.pose, 2);
  const total = (w: Float32Array) => w.reduce((a, b) => a + b, 0);
  const plain = fitLandmarks(basis, { points, dims: 2 }, { iterations: 30 });
  const sparse = fitLandmarks(basis, { points, dims: 2 }, { iterations: 30, sparsity: 0.05 });
  const zero = fitLandmarks(basis, { points, dims: 2 }, { iterations: 30, sparsity: 1e3 });
  assert.ok(total(sparse.weights) < total(plain.weights), `Σw ${total(sparse.weights)} vs ${total(plain.weights)}`);
  assert.ok(zero.weights.every((w) => w === 0), "a huge L1 weight leaves no expression");
});

test("fitSequence neutralFirst: the first frame's weights are 0 and its offsets become the neutral", async () => {
  const { fitSequence } = await import("../../../../src/engine/stages/animation/sequence.js");
  const J = basis.modes.length;
  const pose: HeadPose = { rotation: rotationFromEuler(5, 0, 0), translation: [250, -250, 0], scale: 12 };
  // A person whose neutral differs from the model's (a fixed per-landmark offset): without the
  // neutral reference it reads as expression; with it, a pure jawOpen 0.6 comes back.
  const rng = new Rng(5);
  const offset = Float32Array.from(basis.neutral, () => rng.normal() * 0.08);
  const person: LandmarkBasis = { ...basis, neutral: Float32Array.from(basis.neutral, (v, i) => v + offset[i]!) };
  const jaw = new Float32Array(J); jaw[model.expressionNames.indexOf("jawOpen")] = 0.6;
  // MediaPipe-style input: x, y in [0, 1] of a 512² image, y down (observationFromMediaPipe's inverse).
  const toMp = (p: Float64Array) => Float32Array.from({ length: basis.count * 3 }, (_, k) => (k % 3 === 0 ? p[(k / 3) * 2]! / 512 : k % 3 === 1 ? -p[((k - 1) / 3) * 2 + 1]! / 512 : 0));
  const frames = [new Float32Array(J), jaw].map((w, i) => ({ time: i, width: 512, height: 512, landmarks: toMp(projectLandmarks(person, w, pose, 2)) }));
  const seq = fitSequence(basis, frames, { neutralFirst: true, smoothing: false, temporal: 0, iterations: 30 });
  assert.ok(seq.weights[0]!.every((w) => w === 0));
  const err = meanAbs(seq.weights[1]!, jaw);
  assert.ok(err < 0.01, `mean abs weight error ${err} with the neutral reference`);
  const alone = fitSequence(basis, [frames[1]!], { smoothing: false, iterations: 30 });
  assert.ok(meanAbs(alone.weights[0]!, jaw) > err, "without the reference the offsets read as expression");
});

test("perspective fit: landmarks projected through a 60 cm pinhole come back with their weights; weak perspective misreads them", () => {
  const rng = new Rng(21);
  const J = basis.modes.length;
  const truth = new Float32Array(J);
  for (const [n, v] of [["jawOpen", 0.5], ["mouthSmile_L", 0.6], ["mouthSmile_R", 0.6], ["browInnerUp_L", 0.7]] as const) truth[model.expressionNames.indexOf(n)] = v;
  // A 384² image, 30° vertical field of view (focal 716.6 px), head 60 cm away, turned 15°.
  const focal = 192 / Math.tan((15 * Math.PI) / 180);
  const camera = { focal, center: [192, -192] as const };
  const pose: HeadPose = { rotation: rotationFromEuler(15, -5, 2), translation: [192 + rng.range(-5, 5), -192 + rng.range(-5, 5), 0], scale: focal / 60, camera };
  const points = projectLandmarks(basis, truth, pose, 2);
  const persp = fitLandmarks(basis, { points, dims: 2, camera }, { iterations: 40, tikhonov: 1e-6 });
  const weak = fitLandmarks(basis, { points, dims: 2 }, { iterations: 40, tikhonov: 1e-6 });
  const ep = meanAbs(persp.weights, truth), ew = meanAbs(weak.weights, truth);
  assert.ok(ep < 0.01, `perspective fit: mean abs weight error ${ep}`);
  assert.ok(persp.rmse < 0.05, `perspective fit: rmse ${persp.rmse} px`);
  assert.ok(ew > 3 * ep, `weak perspective on the same frame: ${ew} (perspective ${ep})`);
});

test("noise model: a residual along a known noise direction no longer turns on an expression", () => {
  const J = basis.modes.length;
  const pose: HeadPose = { rotation: rotationFromEuler(0, 0, 0), translation: [250, -250, 0], scale: 12 };
  // "Noise": half of browInnerUp_L's landmark motion, which the tracker adds at random.
  const brow = model.expressionNames.indexOf("browInnerUp_L");
  const direction = Float32Array.from(basis.modes[brow]!, (v) => 0.5 * v);
  const noisy: LandmarkBasis = { ...basis, neutral: Float32Array.from(basis.neutral, (v, i) => v + direction[i]!) };
  const points = projectLandmarks(noisy, new Float32Array(J), pose, 2);
  const plain = fitLandmarks(basis, { points, dims: 2 }, { iterations: 30 });
  const noisyBasis = { ...basis, noise: { modes: [direction], floor: 0.01 } };
  const withNoise = fitLandmarks(noisyBasis, { points, dims: 2 }, { iterations: 30, noise: true });
  const off = fitLandmarks(noisyBasis, { points, dims: 2 }, { iterations: 30 });
  assert.equal(off.weights[brow], plain.weights[brow], "the noise model is opt-in");
  assert.ok(plain.weights[brow]! > 0.3, `without the noise model browInnerUp_L reads ${plain.weights[brow]}`);
  assert.ok(withNoise.weights[brow]! < 0.1, `with it: ${withNoise.weights[brow]}`);
});

test("SequenceFitter, frame by frame, gives fitSequence's weights (the page and the CLI share the fit)", async () => {
  const { fitSequence, SequenceFitter } = await import("../../../../src/engine/stages/animation/sequence.js");
  const rng = new Rng(9);
  const toMp = (p: Float64Array) => Float32Array.from({ length: basis.count * 3 }, (_, k) => (k % 3 === 0 ? p[(k / 3) * 2]! / 512 : k % 3 === 1 ? -p[((k - 1) / 3) * 2 + 1]! / 512 : 0));
  const frames = [0, 1, 2].map((i) => {
    const t = synthetic(rng, 3);
    return { time: i / 10, width: 512, height: 512, landmarks: i === 1 ? null : toMp(projectLandmarks(basis, t.weights, { ...t.pose, translation: [256, -256, 0] }, 2)) };
  });
  const options = { debias: { threshold: 0.05, tikhonov: 1e-5 }, sparsity: 1e-3 };
  const whole = fitSequence(basis, frames, options);
  const fitter = new SequenceFitter(basis, options);
  frames.forEach((f, i) => assert.deepEqual(fitter.push(f).weights, whole.weights[i]));
  assert.deepEqual(whole.weights[1], whole.weights[0], "a frame without a face repeats the last weights");
});

test("SequenceFitter focal \"estimate\": the first frame's residual finds the camera's focal length (within 15 %)", async () => {
  const { SequenceFitter } = await import("../../../../src/engine/stages/animation/sequence.js");
  const J = basis.modes.length;
  const truth = new Float32Array(J);
  truth[model.expressionNames.indexOf("jawOpen")] = 0.3;
  for (const focalHeights of [1.2, 1.87, 3]) {
    const focal = focalHeights * 512;
    const camera = { focal, center: [256, -256] as const };
    const pose: HeadPose = { rotation: rotationFromEuler(12, -4, 0), translation: [256, -256, 0], scale: focal / 60, camera };
    const p = projectLandmarks(basis, truth, pose, 2);
    const landmarks = Float32Array.from({ length: basis.count * 3 }, (_, k) => (k % 3 === 0 ? p[(k / 3) * 2]! / 512 : k % 3 === 1 ? -p[((k - 1) / 3) * 2 + 1]! / 512 : 0));
    const fitter = new SequenceFitter(basis, { focal: "estimate", smoothing: false, iterations: 30 });
    fitter.push({ time: 0, width: 512, height: 512, landmarks });
    assert.ok(Math.abs(fitter.focal! / focalHeights - 1) < 0.15, `focal ${fitter.focal} image heights, truth ${focalHeights}`);
  }
});
