import { test } from "node:test";
import assert from "node:assert/strict";
import { FACE_TARGET, directionalLight, orbitCamera, perspectiveCamera, rankingLights, rankingViews, sampleFrontLight, sampleOrbitCamera } from "../../../src/engine/raster/camera.js";
import { Rng } from "../../../src/engine/util/rng.js";
import type { Camera } from "../../../src/engine/raster/types.js";

function project(cam: Camera, p: readonly number[]): [number, number, number] {
  const m = cam.viewProjection;
  const c = [0, 1, 2, 3].map((r) => m[r]! * p[0]! + m[4 + r]! * p[1]! + m[8 + r]! * p[2]! + m[12 + r]!);
  return [c[0]! / c[3]!, c[1]! / c[3]!, c[2]! / c[3]!];
}

test("perspectiveCamera: target at the centre, +x right, +y up, depth in (−1, 1)", () => {
  const cam = perspectiveCamera({ eye: [0, 0, 10], target: [0, 0, 0], fovY: 90, aspect: 1, near: 1, far: 100 });
  const c = project(cam, [0, 0, 0]);
  assert.ok(Math.abs(c[0]) < 1e-6 && Math.abs(c[1]) < 1e-6);
  assert.ok(c[2] > -1 && c[2] < 1);
  // fovY 90° at distance 10: y = 10 maps to the top edge, x = 5 to half-way right.
  assert.ok(Math.abs(project(cam, [0, 10, 0])[1] - 1) < 1e-5);
  assert.ok(Math.abs(project(cam, [5, 0, 0])[0] - 0.5) < 1e-5);
  // Nearer points have smaller NDC depth.
  assert.ok(project(cam, [0, 0, 5])[2] < c[2]);
  assert.throws(() => perspectiveCamera({ eye: [0, 0, 0], target: [0, 0, 0] }), /coincide/);
  assert.throws(() => perspectiveCamera({ eye: [0, 0, 50], fovY: 0 }), /fovY/);
});

test("orbitCamera / rankingViews: azimuth +45° puts the eye towards +x, distance kept", () => {
  const [front, left, right] = rankingViews();
  assert.equal(rankingViews().length, 3);
  assert.ok(Math.abs(front!.eye[0]) < 1e-9 && front!.eye[2] > FACE_TARGET[2]);
  assert.ok(left!.eye[0] < 0 && right!.eye[0] > 0);
  const cam = orbitCamera({ azimuth: 45, distance: 10, target: [0, 0, 0] });
  assert.ok(Math.abs(cam.eye[0] - 10 * Math.SQRT1_2) < 1e-9 && Math.abs(cam.eye[2] - 10 * Math.SQRT1_2) < 1e-9);
});

test("sampleOrbitCamera: azimuth uniform within the arc, deterministic per seed", () => {
  const rng = new Rng(11);
  const az = Array.from({ length: 400 }, () => sampleOrbitCamera(rng).azimuth);
  assert.ok(az.every((a) => a >= -45 && a <= 45));
  assert.ok(Math.min(...az) < -40 && Math.max(...az) > 40, "covers the arc");
  assert.ok(Math.abs(az.reduce((s, a) => s + a, 0) / az.length) < 5, "centred on the front view");
  assert.deepEqual(sampleOrbitCamera(new Rng(3)).eye, sampleOrbitCamera(new Rng(3)).eye);
  const narrow = sampleOrbitCamera(new Rng(4), { azimuthRange: [10, 12] });
  assert.ok(narrow.azimuth >= 10 && narrow.azimuth <= 12);
});

test("sampleFrontLight / rankingLights: unit directions in the front hemisphere", () => {
  const rng = new Rng(5);
  const zs: number[] = [];
  for (let i = 0; i < 300; i++) {
    const l = sampleFrontLight(rng);
    assert.ok(Math.abs(Math.hypot(...l.direction) - 1) < 1e-9);
    assert.ok(l.direction[2] >= 0);
    zs.push(l.direction[2]);
  }
  // Uniform on the hemisphere ⇒ z is uniform on [0, 1].
  assert.ok(Math.abs(zs.reduce((s, z) => s + z, 0) / zs.length - 0.5) < 0.06);
  const lights = rankingLights();
  assert.equal(lights.length, 10);
  for (const l of lights) {
    assert.ok(Math.abs(Math.hypot(...l.direction) - 1) < 1e-9);
    assert.ok(l.direction[2] > 0);
  }
  assert.equal(new Set(lights.map((l) => l.direction.map((x) => x.toFixed(3)).join())).size, 10, "distinct");
  assert.ok(directionalLight(0, 0).direction[2] === 1);
});
