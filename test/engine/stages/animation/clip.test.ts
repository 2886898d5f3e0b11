// Expression clips: interpolation modes, resampling, and the glTF sampler layout.
import { test } from "node:test";
import assert from "node:assert/strict";
import { clipFromFrames, createClip, gltfWeightsSampler, resampleClip, sampleClip, type Keyframe } from "../../../../src/engine/stages/animation/clip.js";
import { addAnimations, clipToGlbAnimation, morphedMeshes, parseGlb } from "../../../../src/engine/stages/animation/glb.js";
import { demoClip } from "../../../../src/engine/stages/animation/demoClip.js";
import { writeGlb } from "../../../../src/engine/export/gltf.js";
import { assertValidGlb } from "../../../helpers/gltf-validate.js";

const names = ["jawOpen", "eyeBlink_L", "mouthSmile_L"];
const keys: Keyframe[] = [
  { time: 0, weights: {} },
  { time: 1, weights: { jawOpen: 1, eyeBlink_L: 0.5 } },
  { time: 2, weights: { jawOpen: 0.2, mouthSmile_L: 1 } },
];

test("sampleClip: linear, step and cubic agree on keyframes and differ between them", () => {
  const lin = createClip("c", names, keys, "linear");
  const step = createClip("c", names, keys, "step");
  const cub = createClip("c", names, keys, "cubic");
  for (const c of [lin, step, cub]) assert.deepEqual(Array.from(sampleClip(c, 1)), [1, 0.5, 0]);
  assert.ok(Math.abs(sampleClip(lin, 0.5)[0]! - 0.5) < 1e-6);
  assert.equal(sampleClip(step, 0.99)[0], 0);
  assert.notEqual(sampleClip(cub, 0.5)[0], sampleClip(lin, 0.5)[0]);
  assert.deepEqual(Array.from(sampleClip(lin, -1)), [0, 0, 0], "before the first key: the first key");
  assert.deepEqual(Array.from(sampleClip(lin, 9)), Array.from(sampleClip(lin, 2)), "after the last key: the last key");
});

test("cubic interpolation is monotone: weights never leave the keyframes' range", () => {
  const cub = demoClip(["jawOpen", "mouthSmile_L", "mouthSmile_R", "eyeBlink_L", "eyeBlink_R", "browInnerUp_L", "browInnerUp_R", "mouthPucker", "mouthFunnel", "cheekSquint_L", "cheekSquint_R"]);
  for (let t = 0; t <= 3; t += 0.005) for (const w of sampleClip(cub, t)) assert.ok(w >= -1e-6 && w <= 1 + 1e-6, `weight ${w} at ${t}`);
});

test("createClip rejects duplicate times, unknown names and wrong lengths", () => {
  assert.throws(() => createClip("c", names, [{ time: 1, weights: {} }, { time: 1, weights: {} }]), /two keyframes at time 1/);
  assert.throws(() => createClip("c", names, [{ time: 0, weights: { nope: 1 } }]), /unknown expression "nope"/);
  assert.throws(() => createClip("c", names, [{ time: 0, weights: [1, 2] }]), /has 2 weights, expected 3/);
});

test("resampleClip at 10 fps keeps the ends and linear values", () => {
  const r = resampleClip(createClip("c", names, keys, "linear"), 10);
  assert.equal(r.times.length, 21);
  assert.ok(Math.abs(r.times[20]! - 2) < 1e-6);
  assert.ok(Math.abs(r.weights[5 * 3]! - 0.5) < 1e-6);
  const f = clipFromFrames("f", names, [[0, 0, 0], [1, 0, 0]], 4);
  assert.equal(f.times[1], 0.25);
});

test("gltfWeightsSampler lays out keyframe × target (×3 for CUBICSPLINE) in the mesh's target order", () => {
  const lin = createClip("c", names, keys, "linear");
  const meshTargets = ["mouthSmile_L", "other", "jawOpen", "eyeBlink_L"];
  const s = gltfWeightsSampler(lin, meshTargets);
  assert.equal(s.interpolation, "LINEAR");
  assert.equal(s.output.length, 3 * 4);
  assert.deepEqual(Array.from(s.output.subarray(4, 8)), [0, 0, 1, 0.5]); // keyframe 1
  const cub = gltfWeightsSampler(createClip("c", names, keys, "cubic"), meshTargets);
  assert.equal(cub.interpolation, "CUBICSPLINE");
  assert.equal(cub.output.length, 3 * 3 * 4);
  assert.deepEqual(Array.from(cub.output.subarray(12 + 4, 12 + 8)), [0, 0, 1, 0.5]); // value of keyframe 1
  assert.throws(() => gltfWeightsSampler(lin, ["jawOpen"]), /no morph target named "eyeBlink_L"/);
});

test("addAnimations and writeGlb's animations both give .glb files that validate, channels on weights", async () => {
  const positions = new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0]);
  const morphTargets = names.map((name, i) => ({ name, positions: new Float32Array(9).fill(0.1 * (i + 1)) }));
  const base = writeGlb({ positions, indices: new Uint32Array([0, 1, 2]), morphTargets });
  for (const interp of ["linear", "step", "cubic"] as const) {
    const clip = createClip(interp, names, keys, interp);
    const a = addAnimations(base, [clip]);
    await assertValidGlb(a, `added-${interp}.glb`);
    const { json } = parseGlb(a);
    assert.equal(json.animations[0].channels[0].target.path, "weights");
    assert.equal(morphedMeshes(parseGlb(a))[0]!.targetNames.length, 3);
    const b = writeGlb({ positions, indices: new Uint32Array([0, 1, 2]), morphTargets, animations: [clipToGlbAnimation(clip)] });
    await assertValidGlb(b, `written-${interp}.glb`);
  }
});
