// The tracking benchmark's renders with the full head (issue 16, item 1: "with or without the
// full head (eyes, teeth)"): ICT's eyeballs, teeth, gums/tongue and eyelashes are drawn, each in
// its own colour, and its transparent layers are not.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadFaceModel } from "../../../data-loaders/face/load.js";
import { HEAD_COLOURS, headMesh, renderPose, SYNTHETIC_SIZE } from "../../../data-loaders/animation/synthetic.js";
import { weightsOf } from "../../../data-loaders/animation/tracking-eval.js";

const model = await loadFaceModel();

test("headMesh: every part of the full head but ICT's transparent layers", () => {
  const head = headMesh(model);
  for (const part of Object.keys(HEAD_COLOURS)) assert.ok((head.parts[part] ?? 0) > 0, `no ${part} triangles`);
  const drawn = Object.values(head.parts).reduce((a, b) => a + b, 0);
  assert.equal(drawn, head.triangles.length / 3);
  // Left out: lacrimal fluid, eye blend and occlusion, and each eyeball's outer shell.
  assert.ok(drawn < model.regions.full.triangles.length / 3 && drawn > model.regions.dreamface.triangles.length / 3, `${drawn} triangles`);
  assert.ok(head.parts.pupil! < head.parts.iris! && head.parts.iris! < head.parts.sclera!, JSON.stringify(head.parts));
  assert.equal(head.uv.length, head.source.length * 2);
});

test("renderPose head \"full\": pupils and lashes show dark and an open mouth shows teeth or tongue, which the face region never does", () => {
  const jaw = { identity: [0.5, -0.3], weights: weightsOf(model, { jawOpen: 0.8 }), yaw: 0, light: [25, 20] as const };
  const dark = (img: Float32Array) => { let n = 0; for (let i = 0; i < img.length; i += 3) if (Math.max(img[i]!, img[i + 1]!, img[i + 2]!) < 0.12) n++; return n; };
  // Reddish: gums and tongue (0.72, 0.32, 0.32) and the mouth socket; skin has g/r ≥ 0.74.
  const red = (img: Float32Array) => { let n = 0; for (let i = 0; i < img.length; i += 3) if (img[i + 1]! < 0.55 * img[i]! && img[i]! > 0.1) n++; return n; };
  const face = renderPose(model, jaw), full = renderPose(model, { ...jaw, head: "full" });
  assert.equal(full.length, SYNTHETIC_SIZE * SYNTHETIC_SIZE * 3);
  assert.equal(dark(face), 0);
  assert.ok(dark(full) > 100, `${dark(full)} dark pixels with the full head`);
  assert.equal(red(face), 0);
  assert.ok(red(full) > 200, `${red(full)} gum/tongue pixels with the jaw open`);
});
