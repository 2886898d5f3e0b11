// Expression recovery through the real tracker: the committed calibration, and a small fixed
// set of frames (the first evaluation sequence's neutral, wide jaw, open smile and wink,
// rendered deterministically here) tracked by MediaPipe and fitted. The benchmark
// (`npm run bench -- tracking`) measures the full held-out set; this pins what it found.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadCalibration } from "../../../data-loaders/animation/calibration.js";
import { calibratedNames } from "../../../data-loaders/animation/build-calibration.js";
import { loadCorrespondence } from "../../../data-loaders/animation/correspondence.js";
import { trackerBasis } from "../../../data-loaders/animation/animate.js";
import { evaluationSet, recoverSequence } from "../../../data-loaders/animation/tracking-eval.js";
import { writePoses } from "../../../data-loaders/animation/synthetic.js";
import { trackImages } from "../../../data-loaders/animation/track.js";
import { landmarkBasis } from "../../../src/engine/stages/animation/correspondence.js";
import { scoreFrame } from "../../../src/engine/stages/animation/score.js";
import { model, tmp } from "../../helpers/animation.js";

const names = model.expressionNames;
const at = (w: ArrayLike<number>, n: string) => w[names.indexOf(n)]!;

test("the committed calibration covers every non-gaze expression at all 468 landmarks, its jawOpen drops the chin, and it carries the noise directions", () => {
  const c = loadCalibration();
  assert.ok(c, "tracker-calibration.json/.bin are committed");
  assert.equal(c.version, 2);
  assert.equal(c.noise?.modes.length, 10);
  assert.ok(c.noise!.floor > 0 && c.noise!.floor < 0.05, `noise floor ${c.noise!.floor} cm`);
  // Responses are free of 2-D similarity motion: no mean shift left in any mode.
  for (const m of c.modes) {
    let mx = 0, my = 0;
    for (let i = 0; i < c.count; i++) { mx += m[i * 2]! / c.count; my += m[i * 2 + 1]! / c.count; }
    assert.ok(Math.hypot(mx, my) < 1e-3, `mean shift ${mx}, ${my} cm`);
  }
  assert.deepEqual([...c.names], calibratedNames(model));
  assert.equal(c.count, 468);
  const jaw = c.modes[c.names.indexOf("jawOpen")]!;
  assert.ok(jaw[152 * 2 + 1]! < -0.5, `chin (landmark 152) moves ${jaw[152 * 2 + 1]} cm in y per unit jawOpen`);
  // The calibrated basis keeps the geometric depth and replaces x, y.
  const geometric = landmarkBasis(model, loadCorrespondence());
  const calibrated = trackerBasis(model, 0);
  const j = names.indexOf("jawOpen");
  assert.equal(calibrated.modes[j]![152 * 3 + 2], geometric.modes[j]![152 * 3 + 2]);
  assert.equal(calibrated.modes[j]![152 * 3 + 1], jaw[152 * 2 + 1]);
});

test("through MediaPipe: the fit recovers a fixed set of synthetic frames better than the geometric one, and better with the camera's perspective than weak", async () => {
  const sequence = evaluationSet(model)[0]!;
  const poses = [0, 1, 4, 5].map((k) => sequence.poses[k]!); // neutral, wide jaw, open smile, wink
  const frames = await trackImages(writePoses(model, poses, join(tmp, "tracking-fixed")));
  assert.ok(frames.every((f) => f.landmarks), "MediaPipe finds every synthetic face");
  const calibrated = trackerBasis(model, 30);
  const geometric = landmarkBasis(model, loadCorrespondence(), undefined, 30);
  const scores = (w: Float32Array[]) => poses.slice(1).map((p, k) => scoreFrame(names, p.weights, w[k + 1]!));
  const meanDriven = (w: Float32Array[]) => {
    const errors = scores(w).flatMap((s) => Object.values(s.driven));
    return errors.reduce((a, b) => a + b, 0) / errors.length;
  };
  const maxSpurious = (w: Float32Array[]) => Math.max(...scores(w).map((s) => s.spurious.value));
  const seq = recoverSequence(calibrated, frames, "sequence");
  assert.ok(seq[0]!.every((w) => w === 0), "the neutral reference frame has no expression");
  const ours = meanDriven(seq), peer = meanDriven(recoverSequence(geometric, frames, "sequence"));
  assert.ok(ours < peer, `calibrated mean driven-weight error ${ours} vs geometric ${peer}`);
  // What holds on these frames (the benchmark's targets, 0.15 / 0.2, are not met on the held-out set).
  assert.ok(ours < 0.25, `calibrated mean driven-weight error ${ours}`);
  assert.ok(maxSpurious(seq) < 0.5, `largest spurious weight ${maxSpurious(seq)}`);
  const weak = recoverSequence(calibrated, frames, "sequence", { focal: undefined });
  assert.ok(ours < meanDriven(weak) && maxSpurious(seq) < maxSpurious(weak), `perspective: driven ${ours}, spurious ${maxSpurious(seq)}; weak perspective: ${meanDriven(weak)}, ${maxSpurious(weak)}`);
  const single = meanDriven(recoverSequence(calibrated, frames, "single"));
  assert.ok(single < 0.3, `single frames: mean driven-weight error ${single}`);
  const [, jaw, smile, wink] = seq;
  assert.ok(at(jaw!, "jawOpen") > 0.45, `wide jaw: jawOpen ${at(jaw!, "jawOpen")}`);
  assert.ok(at(smile!, "mouthSmile_L") > 0.45 && at(smile!, "mouthSmile_R") > 0.45, `open smile: mouthSmile ${at(smile!, "mouthSmile_L")}, ${at(smile!, "mouthSmile_R")}`);
  assert.ok(Math.abs(at(smile!, "jawOpen") - 0.55) < 0.15, `open smile: jawOpen ${at(smile!, "jawOpen")} (truth 0.55)`);
  assert.ok(at(wink!, "eyeBlink_L") > at(wink!, "eyeBlink_R") + 0.2, `wink: eyeBlink_L ${at(wink!, "eyeBlink_L")}, _R ${at(wink!, "eyeBlink_R")}`);
  // The opt-in noise model trades driven weight for fewer spurious ones.
  const noisy = recoverSequence(calibrated, frames, "sequence", { noise: true });
  assert.ok(maxSpurious(noisy) < maxSpurious(seq) && meanDriven(noisy) > ours, `noise model: spurious ${maxSpurious(noisy)}, driven ${meanDriven(noisy)}`);
});

test("through MediaPipe with the full head (eyeballs, teeth, lashes): the same fixed frames are found and read at least as well", async () => {
  const sequence = evaluationSet(model)[0]!;
  const poses = [0, 1, 4, 5].map((k) => ({ ...sequence.poses[k]!, head: "full" as const })); // neutral, wide jaw, open smile, wink
  const frames = await trackImages(writePoses(model, poses, join(tmp, "tracking-fixed-full")));
  assert.ok(frames.every((f) => f.landmarks), "MediaPipe finds every full-head face");
  const seq = recoverSequence(trackerBasis(model, 30), frames, "sequence");
  const scores = poses.slice(1).map((p, k) => scoreFrame(names, p.weights, seq[k + 1]!));
  const errors = scores.flatMap((s) => Object.values(s.driven));
  const driven = errors.reduce((a, b) => a + b, 0) / errors.length;
  const spurious = Math.max(...scores.map((s) => s.spurious.value));
  // Measured 0.115 and 0.348 (face region alone: 0.207, 0.390).
  assert.ok(driven < 0.2, `full head: mean driven-weight error ${driven}`);
  assert.ok(spurious < 0.45, `full head: largest spurious weight ${spurious}`);
  const [, jaw, , wink] = seq;
  assert.ok(at(jaw!, "jawOpen") > 0.5, `wide jaw: jawOpen ${at(jaw!, "jawOpen")}`);
  assert.ok(at(wink!, "eyeBlink_L") > at(wink!, "eyeBlink_R") + 0.3, `wink: eyeBlink_L ${at(wink!, "eyeBlink_L")}, _R ${at(wink!, "eyeBlink_R")}`);
});
