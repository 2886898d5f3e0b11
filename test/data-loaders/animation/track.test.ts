// The tracker in headless Chromium on a real photo, and clear errors for faceless or unreadable input.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { trackImages } from "../../../data-loaders/animation/track.js";
import { animate, trackerBasis } from "../../../data-loaders/animation/animate.js";
import { UserError } from "../../../data-loaders/cli/errors.js";
import { FIT_DEFAULTS, fitSequence } from "../../../src/engine/stages/animation/sequence.js";
import { regionWeights } from "../../../src/engine/stages/animation/regions.js";
import { assetPath, astronaut, blankPng, model, tmp } from "../../helpers/animation.js";

test("trackImages finds one face with 468 landmarks in the astronaut photo's upper-left quarter; fitted weights are in [0, 1] and read as a smile", async () => {
  const [frame] = await trackImages([astronaut]);
  assert.ok(frame);
  assert.equal(frame.faces, 1);
  assert.equal(frame.width, 512);
  assert.ok(frame.landmarks);
  assert.equal(frame.landmarks.length, 468 * 3);
  const [noseX, noseY] = [frame.landmarks[3]!, frame.landmarks[4]!]; // landmark 1: nose tip
  assert.ok(noseX > 0 && noseX < 0.5 && noseY > 0 && noseY < 0.5, `nose tip at ${noseX}, ${noseY}`);
  const basis = trackerBasis(model, 30); // what `dreamface animate` fits: calibrated, identity modes
  const seq = fitSequence(basis, [frame], { ...FIT_DEFAULTS, landmarkWeights: regionWeights(basis.count) }); // and its priors (focal length estimated)
  const w = seq.weights[0]!;
  assert.equal(w.length, 53);
  assert.ok(w.every((x) => x >= 0 && x <= 1));
  assert.ok(seq.fits[0]!.rmse < 5, `landmark rmse ${seq.fits[0]!.rmse} px on a 512 px photo`);
  const smile = (w[model.expressionNames.indexOf("mouthSmile_L")]! + w[model.expressionNames.indexOf("mouthSmile_R")]!) / 2;
  assert.ok(smile > 0.5, `the astronaut smiles: mouthSmile ${smile}`);
});

test("animate: an image without a face is a clear error", async () => {
  const dir = join(tmp, "blank");
  mkdirSync(dir);
  blankPng(join(dir, "blank.png"));
  await assert.rejects(animate({ asset: assetPath, images: dir, out: join(tmp, "x.glb") }), (e: unknown) => e instanceof UserError && /no face found in .*blank\.png/.test(e.message));
});

test("animate: an unreadable video is a clear error", async () => {
  const video = join(tmp, "garbage.mp4");
  writeFileSync(video, Buffer.from("this is not a video file at all ".repeat(200)));
  await assert.rejects(animate({ asset: assetPath, video, out: join(tmp, "x.glb") }), (e: unknown) => e instanceof UserError && /could not read video .*garbage\.mp4/.test(e.message));
});
