// `animate --path personalized`: one morph target per frame from G_geo(T†, E_exp(crop)) over the
// tiny profile (a test signal), animated by one-hot weights; the .glb must validate.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadFaceModel } from "../../../data-loaders/face/load.js";
import { sharedDir } from "../../../data-loaders/io/paths.js";
import { animate } from "../../../data-loaders/animation/animate.js";
import { TINY_LABEL } from "../../../data-loaders/run/manifest.js";
import { faceGlbAsset } from "../../../src/engine/export/face-asset.js";
import { writeGlb } from "../../../src/engine/export/gltf.js";
import { parseGlb, readFloatAccessor } from "../../../src/engine/stages/animation/glb.js";
import { assertValidGlb } from "../../helpers/gltf-validate.js";
import { tempDir } from "../../helpers/tmp.js";

test("animate --path personalized writes per-frame targets + a weights animation that validates, labelled as a tiny test signal", async () => {
  const model = await loadFaceModel();
  const tmp = tempDir("dreamface-personalized-");
  const asset = join(tmp, "face.glb");
  writeFileSync(asset, writeGlb(faceGlbAsset(model, { identity: [1, -0.5] })));
  const images = join(tmp, "frames");
  mkdirSync(images);
  copyFileSync(join(sharedDir()!, "faces", "astronaut.png"), join(images, "a.png"));
  const out = join(tmp, "out.glb");
  const r = await animate({ asset, images, out, path: "personalized", profile: "tiny", runDir: join(tmp, "run") });
  assert.equal(r.label, TINY_LABEL);
  const bytes = readFileSync(out);
  await assertValidGlb(bytes, "personalized.glb");
  const glb = parseGlb(bytes);
  const mesh = glb.json.meshes[0];
  assert.equal(mesh.primitives[0].targets.length, 53 + 1);
  assert.equal(mesh.extras.targetNames[53], "personalized_0000");
  const anim = glb.json.animations[0];
  assert.equal(anim.channels[0].target.path, "weights");
  assert.equal(glb.json.accessors[anim.samplers[0].output].count, 1 * 54);
  // The frame's target moves the face (G_geo's offset) but stays within the tiny graph's 0.3 cm bound (in metres here).
  const delta = readFloatAccessor(glb, mesh.primitives[0].targets[53].POSITION);
  let max = 0;
  for (const d of delta) max = Math.max(max, Math.abs(d));
  assert.ok(max > 1e-5 && max <= 0.003 + 1e-6, `largest offset ${max} m`);
  const manifest = JSON.parse(readFileSync(join(tmp, "run", "manifest.json"), "utf8"));
  assert.equal(manifest.label, TINY_LABEL);
  assert.ok(manifest.modelHashes.anim_g_geo);
});
