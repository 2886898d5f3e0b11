// `animate` end to end: the animated .glb validates; a wrong topology is rejected up front.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, mkdirSync, copyFileSync } from "node:fs";
import { join } from "node:path";
import { animate } from "../../../data-loaders/animation/animate.js";
import { UserError } from "../../../data-loaders/cli/errors.js";
import { writeGlb } from "../../../src/engine/export/gltf.js";
import { parseGlb } from "../../../src/engine/stages/animation/glb.js";
import { assertValidGlb } from "../../helpers/gltf-validate.js";
import { runCli } from "../../helpers/cli.js";
import { assetPath, astronaut, model, tmp } from "../../helpers/animation.js";

test("animate writes a .glb that validates with zero errors and whose channels target the morph weights", async () => {
  const images = join(tmp, "frames");
  mkdirSync(images);
  copyFileSync(astronaut, join(images, "a.png"));
  copyFileSync(astronaut, join(images, "b.png"));
  const out = join(tmp, "animated.glb");
  const r = await animate({ asset: assetPath, images, out, fps: 2, runDir: join(tmp, "run") });
  assert.equal(r.framesWithFace, 2);
  const bytes = readFileSync(out);
  const report = await assertValidGlb(bytes, "animated.glb");
  assert.equal(report.info?.animationCount, 1);
  const { json } = parseGlb(bytes);
  const anim = json.animations[0];
  assert.ok(anim.channels.length >= 1);
  for (const ch of anim.channels) {
    assert.equal(ch.target.path, "weights");
    assert.equal(json.nodes[ch.target.node].mesh, 0);
  }
  const sampler = anim.samplers[anim.channels[0].sampler];
  assert.equal(json.accessors[sampler.input].count, 2);
  assert.equal(json.accessors[sampler.output].count, 2 * json.meshes[0].primitives[0].targets.length);
  const weights = JSON.parse(readFileSync(join(tmp, "run", "weights.json"), "utf8"));
  assert.equal(weights.frames.length, 2);
});

test("animate: an asset with another topology is a clear error (before any tracking)", async () => {
  const wrong = join(tmp, "cube.glb");
  const positions = new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
  writeFileSync(wrong, writeGlb({
    positions, indices: new Uint32Array([0, 1, 2, 0, 2, 3]),
    morphTargets: model.expressionNames.map((name) => ({ name, positions: new Float32Array(12).fill(0.1) })),
  }));
  await assert.rejects(animate({ asset: wrong, images: tmp, out: join(tmp, "x.glb") }), (e: unknown) => e instanceof UserError && /does not have the ICT-FaceKit topology: its mesh has 4 vertices/.test(e.message));
  writeFileSync(join(tmp, "junk.glb"), "not a glb");
  await assert.rejects(animate({ asset: join(tmp, "junk.glb"), images: tmp, out: join(tmp, "x.glb") }), /not a \.glb file/);
});

test("the CLI reports bad input as `dreamface: …` with exit status 2", () => {
  const run = (...args: string[]) => runCli(["animate", ...args]);
  const wrongOut = run(assetPath, "--images", tmp, "--out", join(tmp, "x.obj"));
  assert.equal(wrongOut.status, 2);
  assert.match(wrongOut.stderr, /dreamface: --out .*x\.obj: must be a \.glb file/);
  const both = run(assetPath, "--out", join(tmp, "x.glb"));
  assert.equal(both.status, 2);
  assert.match(both.stderr, /give exactly one of --video FILE or --images DIR/);
});
