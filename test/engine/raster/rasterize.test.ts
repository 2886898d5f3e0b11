import { test } from "node:test";
import assert from "node:assert/strict";
import { orbitCamera, perspectiveCamera } from "../../../src/engine/raster/camera.js";
import { rasterize } from "../../../src/engine/raster/rasterize.js";
import { interpolate } from "../../../src/engine/raster/interpolate.js";
import { render, renderViews } from "../../../src/engine/raster/render.js";
import { rankingLights, rankingViews } from "../../../src/engine/raster/camera.js";
import { bumpyGrid } from "../../helpers/meshes.js";

const cam = perspectiveCamera({ eye: [0, 0, 4], target: [0, 0, 0], fovY: 60, aspect: 1 });

test("rasterize: a quad filling the view covers every pixel exactly once, no gaps on the diagonal", () => {
  // Big enough to cover the frustum at z = 0.
  const positions = new Float32Array([-5, -5, 0, 5, -5, 0, 5, 5, 0, -5, 5, 0]);
  const triangles = new Uint32Array([0, 1, 2, 0, 2, 3]);
  for (const size of [64, 97, 256]) {
    const r = rasterize({ positions, triangles }, cam, size, size);
    assert.ok(r.triangleId.every((id) => id === 1 || id === 2), `size ${size}`);
  }
});

test("rasterize: perspective-correct barycentrics reproduce the world position of each pixel", () => {
  const grid = bumpyGrid(4);
  const c = orbitCamera({ azimuth: 30, elevation: 20, distance: 5, target: [0, 0, 0], fovY: 40 });
  const W = 80, H = 60;
  const r = rasterize(grid, { ...c, viewProjection: orbitCamera({ azimuth: 30, elevation: 20, distance: 5, target: [0, 0, 0], fovY: 40, aspect: W / H }).viewProjection }, W, H);
  const pos = interpolate(r, grid, grid.positions, 3);
  const m = r.viewProjection;
  let checked = 0;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      if (!r.triangleId[i]) continue;
      const p = [pos[3 * i]!, pos[3 * i + 1]!, pos[3 * i + 2]!];
      const cl = [0, 1, 2, 3].map((k) => m[k]! * p[0]! + m[4 + k]! * p[1]! + m[8 + k]! * p[2]! + m[12 + k]!);
      // The interpolated point projects back onto the pixel centre.
      assert.ok(Math.abs(cl[0]! / cl[3]! - ((x + 0.5) / W * 2 - 1)) < 1e-4);
      assert.ok(Math.abs(cl[1]! / cl[3]! - (1 - (y + 0.5) / H * 2)) < 1e-4);
      assert.ok(Math.abs(cl[2]! / cl[3]! - r.depth[i]!) < 1e-4);
      checked++;
    }
  assert.ok(checked > 500);
});

test("rasterize: the nearer of two overlapping triangles wins, either drawing order", () => {
  const near = [-1, -1, 1, 1, -1, 1, 0, 1, 1];
  const far = [-1, -1, -1, 1, -1, -1, 0, 1, -1];
  for (const order of [[...near, ...far], [...far, ...near]]) {
    const r = rasterize({ positions: new Float32Array(order), triangles: new Uint32Array([0, 1, 2, 3, 4, 5]) }, cam, 64, 64);
    const centre = r.triangleId[32 * 64 + 32]!;
    const nearId = order[2] === 1 ? 1 : 2;
    assert.equal(centre, nearId);
  }
});

test("rasterize: a triangle's covered area matches its projected area", () => {
  const positions = new Float32Array([-1, -1, 0, 1, -1, 0, -1, 1, 0]);
  const r = rasterize({ positions, triangles: new Uint32Array([0, 1, 2]) }, cam, 512, 512);
  const covered = r.triangleId.reduce((s, id) => s + (id ? 1 : 0), 0);
  // Half-extent at z = 0: 4·tan(30°); the triangle is half of a 2×2 square.
  const pxPerUnit = 256 / (4 * Math.tan(Math.PI / 6));
  const expected = 0.5 * (2 * pxPerUnit) ** 2;
  assert.ok(Math.abs(covered - expected) / expected < 0.01, `${covered} vs ${expected}`);
});

test("rasterize/render: clear errors for bad sizes, indices and inputs", () => {
  const grid = bumpyGrid(2);
  assert.throws(() => rasterize(grid, cam, 0, 64), /width must be an integer/);
  assert.throws(() => rasterize(grid, cam, 64, 5000), /height/);
  assert.throws(() => rasterize({ positions: grid.positions, triangles: new Uint32Array([0, 1, 99]) }, cam, 8, 8), /vertex 99/);
  assert.throws(() => render({ positions: grid.positions, triangles: grid.triangles }, { camera: cam, width: 8, height: 8, texture: { data: new Float32Array(12), width: 2, height: 2, channels: 3 } }), /needs mesh.uv/);
  assert.throws(() => render(grid, { camera: cam, width: 8, height: 8, texture: { data: new Float32Array(11), width: 2, height: 2, channels: 3 } }), /texture has 11 values/);
});

test("render: mask, background colour, Lambert brighter facing the light, 4-channel latents", () => {
  const grid = bumpyGrid(8, 0);
  const front = render(grid, { camera: cam, width: 64, height: 64, light: { direction: [0, 0, 1], intensity: 0.8, ambient: 0.2 }, albedo: [1, 1, 1], background: [0.1, 0.2, 0.3] });
  const side = render(grid, { camera: cam, width: 64, height: 64, light: { direction: [1, 0, 0], intensity: 0.8, ambient: 0.2 }, albedo: [1, 1, 1] });
  const c = (32 * 64 + 32) * 3;
  assert.equal(front.mask[32 * 64 + 32], 1);
  assert.ok(Math.abs(front.image[c]! - 1.0) < 1e-5, "ambient + full Lambert");
  assert.ok(Math.abs(side.image[c]! - 0.2) < 1e-5, "ambient only at grazing light");
  assert.equal(front.mask[0], 0);
  assert.deepEqual(Array.from(front.image.slice(0, 3)).map((v) => +v.toFixed(5)), [0.1, 0.2, 0.3]);
  const latent = new Float32Array(4 * 4 * 4).fill(0.25);
  const l = render(grid, { camera: cam, width: 32, height: 32, texture: { data: latent, width: 4, height: 4, channels: 4 }, background: [-1, -1, -1, -1] });
  assert.equal(l.channels, 4);
  assert.equal(l.image[(16 * 32 + 16) * 4 + 3], 0.25);
  assert.equal(l.image[3], -1);
});

test("renderViews: the ranking batch equals one render per camera and light", () => {
  const grid = bumpyGrid(6);
  const cameras = rankingViews({ distance: 5, target: [0, 0, 0] });
  const lights = rankingLights();
  const images = renderViews(grid, { cameras, lights, width: 40, height: 40, background: [0.5, 0.5, 0.5] });
  assert.equal(images.length, 30);
  for (const [c, l] of [[0, 0], [1, 4], [2, 9]] as const) {
    const one = render(grid, { camera: cameras[c]!, light: lights[l]!, width: 40, height: 40, background: [0.5, 0.5, 0.5] }).image;
    assert.deepEqual(images[c * 10 + l], one);
  }
  assert.notDeepEqual(images[0], images[1], "lights differ");
});
