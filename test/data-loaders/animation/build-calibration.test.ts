// The calibration's arithmetic: a response is freed of the 2-D similarity motion that explains
// it best; exactly projected frames give back the geometric responses, deterministically.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { calibrationFromFrames, calibrationPoses, removeSimilarity, trackCalibration } from "../../../data-loaders/animation/build-calibration.js";
import { loadCalibration, writeCalibration } from "../../../data-loaders/animation/calibration.js";
import { loadCorrespondence } from "../../../data-loaders/animation/correspondence.js";
import { FRONTAL_CAMERA } from "../../../data-loaders/animation/synthetic.js";
import { landmarkPositions } from "../../../src/engine/stages/animation/correspondence.js";
import { synthesize } from "../../../src/engine/face/synthesize.js";
import { model } from "../../helpers/animation.js";
import { tempDir } from "../../helpers/tmp.js";
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

// Tracked frames made by projecting the geometric landmarks through the calibration camera: the
// calibration's arithmetic must then find no neutral bias and the geometric responses, the same
// bytes each time, and survive the int16 file round trip; a stored run is resumed, not re-tracked.
test("calibrationFromFrames on exactly projected frames: no bias, the chin drops with jawOpen, same bytes twice, file round trip, stored identities not re-tracked", async () => {
  const corr = loadCorrespondence();
  assert.ok(calibrationPoses(model, 101, "full").every((p) => p.head === "full"), "--head full renders every pose with the full head");
  assert.ok(calibrationPoses(model, 101).every((p) => p.head === "face"), "the default is the face region");
  const project = (seed: number) => calibrationPoses(model, seed).map((p) => {
    const g = landmarkPositions(synthesize(model, { identity: Array.from(p.identity), expression: Array.from(p.weights) }), corr);
    const out = new Float32Array(corr.count * 3);
    for (let i = 0; i < corr.count; i++) {
      const k = Math.tan((FRONTAL_CAMERA.fovY * Math.PI) / 360) * (FRONTAL_CAMERA.eye[2] - g[i * 3 + 2]!);
      out[i * 3] = ((g[i * 3]! - FRONTAL_CAMERA.eye[0]) / k + 1) / 2;
      out[i * 3 + 1] = (1 - (g[i * 3 + 1]! - FRONTAL_CAMERA.eye[1]) / k) / 2;
    }
    return out;
  });
  const tracked = [0, 101].map((seed) => ({ seed, landmarks: project(seed) }));
  const c = calibrationFromFrames(model, tracked, corr);
  const bias = Math.max(...c.neutralBias.map(Math.abs));
  assert.ok(bias < 1e-3, `neutral bias ${bias} cm on exact projections`);
  const jaw = c.modes[c.names.indexOf("jawOpen")]!;
  assert.ok(jaw[152 * 2 + 1]! < -0.3, `chin moves ${jaw[152 * 2 + 1]} cm per unit jawOpen`);
  const again = calibrationFromFrames(model, tracked, corr);
  assert.deepEqual(again.modes.map((m) => Array.from(m)), c.modes.map((m) => Array.from(m)), "same frames, same calibration");
  const file = join(tempDir("dreamface-calibration-"), "cal.json");
  writeCalibration({ ...c, version: 3 }, { head: "full" }, file);
  const back = loadCalibration(file)!;
  assert.equal(back.version, 3);
  const err = Math.max(...c.modes.flatMap((m, j) => Array.from(m, (v, q) => Math.abs(v - back.modes[j]![q]!))));
  assert.ok(err <= 1e-4 + 1e-7, `int16 round trip error ${err} cm (step 2e-4)`);
  // Every identity stored: nothing is rendered or tracked (no Chromium), the stored frames come back in order.
  const resumed = await trackCalibration(model, [0, 101], "full", tracked);
  assert.deepEqual(resumed.map((t) => t.seed), [0, 101]);
  assert.equal(resumed[1], tracked[1]);
});
