// Every adjoint against central finite differences on a small bumpy grid (relative error
// < 1e-3). Position probes whose perturbation changes coverage are skipped by gradcheck.
import { test } from "node:test";
import assert from "node:assert/strict";
import { gradcheck, describe } from "../../helpers/gradcheck.js";
import { affineNormalMap, affineTexture, bumpyGrid, smoothNormalMap, smoothTexture } from "../../helpers/meshes.js";
import { orbitCamera, directionalLight } from "../../../src/engine/raster/camera.js";
import { rasterize, rasterizeBackward } from "../../../src/engine/raster/rasterize.js";
import { interpolate, interpolateBackward } from "../../../src/engine/raster/interpolate.js";
import { sampleTexture, sampleTextureBackward } from "../../../src/engine/raster/texture.js";
import { shadingNormals, shadingNormalsBackward } from "../../../src/engine/raster/normalmap.js";
import { shade, shadeBackward } from "../../../src/engine/raster/shade.js";
import { vertexNormalsBackward } from "../../../src/engine/face/normals.js";
import { render, renderBackward, type RenderOptions } from "../../../src/engine/raster/render.js";
import { vertexNormals, vertexTangents } from "../../../src/engine/face/normals.js";
import { Rng } from "../../../src/engine/util/rng.js";

const grid = bumpyGrid(6);
const camera = orbitCamera({ azimuth: 20, elevation: 10, distance: 5, target: [0, 0, 0], fovY: 40 });
const S = 48;
const POS_EPS = [3e-3, 1e-3];
const light = directionalLight(25, 30, { intensity: 0.9, ambient: 0.2 });

function assertOk(r: ReturnType<typeof gradcheck>, minProbes = 6) {
  assert.ok(r.probes.length >= minProbes, `only ${r.probes.length} probes (${r.skipped} skipped)`);
  assert.ok(r.ok, describe(r));
}

test("interpolate: attr and barycentrics → positions", () => {
  const attr = new Rng(1).normals(grid.positions.length / 3 * 2);
  const r = gradcheck(
    ({ attr, positions }) => {
      const rs = rasterize({ positions, triangles: grid.triangles }, camera, S, S);
      return { out: interpolate(rs, grid, attr, 2), key: rs.triangleId };
    },
    ({ attr, positions }, g) => {
      const mesh = { positions, triangles: grid.triangles };
      const rs = rasterize(mesh, camera, S, S);
      const gi = interpolateBackward(rs, mesh, attr, 2, g);
      return { attr: gi.attr, positions: rasterizeBackward(rs, mesh, gi.bary) };
    },
    { attr, positions: grid.positions.slice() },
    { eps: { attr: 1e-2, positions: POS_EPS } },
  );
  assertOk(r);
});

test("sampleTexture: texture (4 channels) and uv, clamp and repeat", () => {
  for (const wrap of ["clamp", "repeat"] as const) {
    const rng = new Rng(2);
    const uv = new Float32Array(200);
    for (let i = 0; i < uv.length; i++) uv[i] = rng.range(-0.1, 1.1);
    const tex = smoothTexture(8, 6, 4);
    const r = gradcheck(
      ({ texture, uv }) => ({ out: sampleTexture(uv, null, texture, 8, 6, 4, { wrap }) }),
      ({ texture, uv }, g) => ({ ...sampleTextureBackward(uv!, null, texture!, 8, 6, 4, g, { wrap }) }),
      { texture: tex, uv },
      { eps: { texture: 1e-2, uv: 1e-3 } },
    );
    assertOk(r);
  }
});

test("shadingNormals: tangent-space map and geometric normal", () => {
  const n = 50;
  const rng = new Rng(3);
  const mask = new Int32Array(n).fill(1);
  const inputs = { ts: rng.normals(n * 3), geomN: rng.normals(n * 3) };
  for (let p = 0; p < n; p++) inputs.ts[3 * p + 2] = 1 + Math.abs(inputs.ts[3 * p + 2]!);
  const T = rng.normals(n * 3), B = rng.normals(n * 3);
  const r = gradcheck(
    ({ ts, geomN, T, B }) => ({ out: shadingNormals(geomN, T!, B!, ts!, mask) }),
    ({ ts, geomN, T, B }, g) => {
      const gr = shadingNormalsBackward(geomN!, T!, B!, ts!, mask, g);
      return { ts: gr.tangentSpace!, geomN: gr.geomN, T: gr.tangent!, B: gr.bitangent! };
    },
    { ...inputs, T, B },
  );
  assertOk(r);
});

test("shade: Lambert + Blinn–Phong, albedo and normals", () => {
  const n = 60;
  const rng = new Rng(4);
  const mask = new Int32Array(n).fill(1);
  const normals = rng.normals(n * 3);
  const view = new Float32Array(n * 3);
  for (let p = 0; p < n; p++) {
    normals[3 * p + 2] = Math.abs(normals[3 * p + 2]!) + 1;
    const l = Math.hypot(normals[3 * p]!, normals[3 * p + 1]!, normals[3 * p + 2]!);
    for (let k = 0; k < 3; k++) normals[3 * p + k]! /= l;
    view[3 * p + 2] = 1;
  }
  const spec = { strength: 0.4, shininess: 12 };
  const r = gradcheck(
    ({ albedo, normals }) => ({ out: shade(albedo, 3, normals, mask, light, spec, view) }),
    ({ albedo, normals }, g) => ({ ...shadeBackward(albedo!, 3, normals!, mask, light, spec, view, g) }),
    { albedo: rng.normals(n * 3), normals },
  );
  assertOk(r);
});

test("vertexNormalsBackward: positions", () => {
  const w = new Rng(5).normals(grid.positions.length);
  const r = gradcheck(
    ({ positions }) => ({ out: vertexNormals(positions, grid.triangles) }),
    ({ positions }, g) => ({ positions: vertexNormalsBackward(positions, grid.triangles, g) }),
    { positions: grid.positions.slice() },
  );
  assertOk(r);
  assert.ok(w.length > 0);
});

// Whole-render adjoints: the tangent frame is held fixed (it is a constant in the adjoint).
const tangents = vertexTangents(grid.positions, vertexNormals(grid.positions, grid.triangles), grid.uv, grid.triangles);

/** `zero` names a gradient the backward replaces by zeros: the check must then fail. */
function renderCheck(opts: (x: Record<string, Float32Array>) => RenderOptions, inputs: Record<string, Float32Array>, eps?: Record<string, number>, zero?: "texture" | "normalMap" | "positions") {
  const mesh = (x: Record<string, Float32Array>) => ({ positions: x.positions ?? grid.positions, triangles: grid.triangles, uv: grid.uv, tangents });
  return gradcheck(
    (x) => {
      const r = render(mesh(x), opts(x));
      return { out: r.image, key: r.raster.triangleId };
    },
    (x, g) => {
      const gr = renderBackward(render(mesh(x), opts(x)), g);
      const grads = { texture: gr.texture, normalMap: gr.normalMap, positions: gr.positions };
      if (zero) grads[zero] = new Float32Array(x[zero]!.length);
      return grads;
    },
    inputs,
    { eps: { texture: 1e-2, normalMap: 1e-2, positions: POS_EPS, ...eps } },
  );
}

test("render: lit RGB texture + normal map + specular → texture, normal map", () => {
  const r = renderCheck(
    (x) => ({ camera, width: S, height: S, light, specular: { strength: 0.3, shininess: 8 }, texture: { data: x.texture!, width: 16, height: 16, channels: 3 }, normalMap: { data: x.normalMap!, width: 16, height: 16 }, background: [0.2, 0.3, 0.4] }),
    { texture: smoothTexture(16, 16, 3), normalMap: smoothNormalMap(16, 16) },
  );
  assertOk(r);
});

const litTexturedPositions = (zero?: "positions") =>
  renderCheck(
    (x) => ({ camera, width: S, height: S, light, texture: { data: x.texture!, width: 16, height: 16, channels: 3 }, normalMap: { data: x.normalMap!, width: 16, height: 16 } }),
    { texture: affineTexture(16, 16, 3), normalMap: affineNormalMap(16, 16), positions: grid.positions.slice() },
    undefined,
    zero,
  );

test("render: lit RGB texture + normal map → positions (through barycentrics and vertex normals)", () => {
  const r = litTexturedPositions();
  assert.ok(r.perInput.positions! >= 6, describe(r));
  assertOk(r, 18);
});

test("gradcheck counts probes per input: the same check with the position gradient zeroed fails", () => {
  // The texture and normal-map probes alone would fill a total count; positions get none.
  const r = litTexturedPositions("positions");
  assert.equal(r.ok, false, describe(r));
  assert.deepEqual(r.starved, ["positions"]);
  assert.ok(r.perInput.texture! >= 6 && r.perInput.normalMap! >= 6, describe(r));
  assert.match(describe(r), /too few probes for positions/);
});

test("render: unlit 4-channel latent texture → texture and positions", () => {
  const r = renderCheck(
    (x) => ({ camera, width: S, height: S, texture: { data: x.texture!, width: 8, height: 8, channels: 4 }, background: [0, 0, 0, 0] }),
    { texture: affineTexture(8, 8, 4), positions: grid.positions.slice() },
  );
  assertOk(r);
});

test("render: seam-split mesh (source mapping) scatters gradients onto model vertices", () => {
  // Duplicate every vertex once: render vertex s → model vertex s mod V.
  const V = grid.positions.length / 3;
  const source = new Uint32Array(2 * V);
  for (let s = 0; s < 2 * V; s++) source[s] = s % V;
  const triangles = grid.triangles.map((v, i) => (Math.floor(i / 3) % 2 === 0 ? v + V : v));
  const uv = new Float32Array(4 * V);
  uv.set(grid.uv); uv.set(grid.uv, 2 * V);
  const tex = affineTexture(16, 16, 3);
  const opts: RenderOptions = { camera, width: S, height: S, light, texture: { data: tex, width: 16, height: 16, channels: 3 } };
  const r = gradcheck(
    ({ positions }) => { const o = render({ positions, triangles, uv, source }, opts); return { out: o.image, key: o.raster.triangleId }; },
    ({ positions }, g) => ({ positions: renderBackward(render({ positions, triangles, uv, source }, opts), g).positions }),
    { positions: grid.positions.slice() },
    { eps: { positions: POS_EPS } },
  );
  assertOk(r);
  // Same image as the unsplit mesh: the split must not change normals or coverage.
  const a = render({ positions: grid.positions, triangles, uv, source }, opts).image;
  const b = render({ positions: grid.positions, triangles: grid.triangles, uv: grid.uv }, opts).image;
  let maxDiff = 0;
  for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
  assert.ok(maxDiff < 1e-5, `split and unsplit renders differ by ${maxDiff}`);
});

test("renderBackward: restricting `wrt` skips work but not correctness", () => {
  const opts: RenderOptions = { camera, width: S, height: S, light, texture: { data: smoothTexture(16, 16, 3), width: 16, height: 16, channels: 3 }, normalMap: { data: smoothNormalMap(16, 16), width: 16, height: 16 } };
  const r = render({ ...grid, tangents }, opts);
  const g = new Rng(9).normals(r.image.length);
  const all = renderBackward(r, g);
  const tex = renderBackward(r, g, ["texture"]);
  const nm = renderBackward(r, g, ["normalMap"]);
  assert.deepEqual(tex.texture, all.texture);
  assert.equal(tex.positions, undefined);
  assert.equal(tex.normalMap, undefined);
  assert.deepEqual(nm.normalMap, all.normalMap);
  assert.ok(all.positions!.some((v) => v !== 0));
  assert.throws(() => renderBackward(r, new Float32Array(5)), /expected/);
});
