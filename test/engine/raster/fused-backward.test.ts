// The fused/trimmed adjoint paths renderBackward uses for speed (normalChain.ts, the albedo-only
// shade adjoint, texture adjoints without dL/duv) against the separate ops they replace.
import { test } from "node:test";
import assert from "node:assert/strict";
import { bumpyGrid, smoothNormalMap, smoothTexture } from "../../helpers/meshes.js";
import { orbitCamera, directionalLight } from "../../../src/engine/raster/camera.js";
import { rasterize } from "../../../src/engine/raster/rasterize.js";
import { interpolate, interpolateBackward } from "../../../src/engine/raster/interpolate.js";
import { sampleTexture, sampleTextureBackward } from "../../../src/engine/raster/texture.js";
import { shadingNormals, shadingNormalsBackward, tangentXyz, vertexBitangents } from "../../../src/engine/raster/normalmap.js";
import { shade, shadeBackward, shadeBackwardAlbedo } from "../../../src/engine/raster/shade.js";
import { normalChainBackward } from "../../../src/engine/raster/normalChain.js";
import { vertexNormals, vertexTangents } from "../../../src/engine/face/normals.js";
import { Rng } from "../../../src/engine/util/rng.js";

const grid = bumpyGrid(6);
const camera = orbitCamera({ azimuth: 20, elevation: 10, distance: 5, target: [0, 0, 0], fovY: 40 });
const S = 40;
const raster = rasterize(grid, camera, S, S);
const ids = raster.triangleId;
const N = S * S;
const vn = vertexNormals(grid.positions, grid.triangles);
const tangents = vertexTangents(grid.positions, vn, grid.uv, grid.triangles);
const tx = tangentXyz(tangents), bt = vertexBitangents(vn, tangents);
const uvImg = interpolate(raster, grid, grid.uv, 2);

/** Largest difference relative to the largest magnitude (so the bound is scale-free). */
function relDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let d = 0, m = 0;
  for (let i = 0; i < a.length; i++) { d = Math.max(d, Math.abs(a[i]! - b[i]!)); m = Math.max(m, Math.abs(b[i]!)); }
  assert.ok(m > 0, "reference gradient is all zeros");
  return d / m;
}

for (const wrap of ["clamp", "repeat"] as const) {
  test(`normalChainBackward equals the composed adjoints (normal map, ${wrap})`, () => {
    const map = { data: smoothNormalMap(16, 16), width: 16, height: 16, wrap };
    const gradN = new Rng(3).normals(N * 3);
    // Composed: rebuild the frame, then the separate adjoints in renderBackward's old order.
    const geomN = interpolate(raster, grid, vn, 3), T = interpolate(raster, grid, tx, 3), B = interpolate(raster, grid, bt, 3);
    const ts = sampleTexture(uvImg, ids, map.data, 16, 16, 3, { wrap });
    const gn = shadingNormalsBackward(geomN, T, B, ts, ids, gradN);
    const refUv = new Float32Array(N * 2), refBary = new Float32Array(N * 2);
    const refMap = sampleTextureBackward(uvImg, ids, map.data, 16, 16, 3, gn.tangentSpace!, { wrap }, { uv: refUv }).texture;
    const refVn = interpolateBackward(raster, grid, vn, 3, gn.geomN, { bary: refBary }).attr;
    interpolateBackward(raster, grid, tx, 3, gn.tangent!, { bary: refBary });
    const refBt = interpolateBackward(raster, grid, bt, 3, gn.bitangent!, { bary: refBary }).attr;

    const gUv = new Float32Array(N * 2), gBary = new Float32Array(N * 2);
    const f = normalChainBackward({ raster, triangles: grid.triangles, gradN, vertexNormals: vn, tangents: tx, bitangents: bt, uvImg, normalMap: map, wantMap: true, wantPos: true, gBary, gUv });
    for (const [name, a, b] of [["map", f.normalMap!, refMap], ["uv", gUv, refUv], ["bary", gBary, refBary], ["normals", f.vertexNormals, refVn], ["bitangents", f.bitangents, refBt]] as const)
      assert.ok(relDiff(a, b) < 1e-6, `${name}: relative difference ${relDiff(a, b)}`);
  });
}

test("normalChainBackward without a map equals shadingNormalsBackward → interpolateBackward", () => {
  const gradN = new Rng(4).normals(N * 3);
  const gn = shadingNormalsBackward(interpolate(raster, grid, vn, 3), null, null, null, ids, gradN);
  const refBary = new Float32Array(N * 2);
  const refVn = interpolateBackward(raster, grid, vn, 3, gn.geomN, { bary: refBary }).attr;
  const gBary = new Float32Array(N * 2);
  const f = normalChainBackward({ raster, triangles: grid.triangles, gradN, vertexNormals: vn, tangents: null, bitangents: null, uvImg: null, normalMap: null, wantMap: false, wantPos: true, gBary, gUv: null });
  assert.equal(f.normalMap, null);
  assert.ok(relDiff(f.vertexNormals, refVn) < 1e-6);
  assert.ok(relDiff(gBary, refBary) < 1e-6);
  assert.throws(() => normalChainBackward({ raster, triangles: grid.triangles, gradN, vertexNormals: vn, tangents: null, bitangents: null, uvImg, normalMap: { data: smoothNormalMap(4, 4), width: 4, height: 4 }, wantMap: true, wantPos: false, gBary: null, gUv: null }), /tangents/);
});

test("shadeBackwardAlbedo equals shadeBackward's albedo gradient (with a specular highlight)", () => {
  const light = directionalLight(25, 30, { intensity: 0.9, ambient: 0.2 });
  const normals = shadingNormals(interpolate(raster, grid, vn, 3), null, null, null, ids);
  const albedo = sampleTexture(uvImg, ids, smoothTexture(8, 8, 4), 8, 8, 4);
  const view = new Float32Array(N * 3);
  for (let p = 0; p < N; p++) view[3 * p + 2] = 1;
  const g = new Rng(5).normals(N * 4);
  const spec = { strength: 0.3, shininess: 8 };
  assert.ok(shade(albedo, 4, normals, ids, light, spec, view).some((v) => v !== 0));
  const ref = shadeBackward(albedo, 4, normals, ids, light, spec, view, g).albedo;
  assert.deepEqual(shadeBackwardAlbedo(4, normals, ids, light, g), ref);
});

test("sampleTextureBackward with uv: null gives the same texture gradient and no uv gradient", () => {
  for (const C of [3, 4]) {
    const tex = smoothTexture(8, 6, C);
    const g = new Rng(6).normals(N * C);
    const full = sampleTextureBackward(uvImg, ids, tex, 8, 6, C, g);
    const only = sampleTextureBackward(uvImg, ids, tex, 8, 6, C, g, {}, { uv: null });
    assert.deepEqual(only.texture, full.texture);
    assert.equal(only.uv.length, 0);
    assert.ok(full.uv.some((v) => v !== 0));
  }
});

test("keepNormalFrame: the adjoint reading the forward's normal frame equals the recomputing one (texture + map + specular; grey + map; grey)", async () => {
  const { render, renderBackward } = await import("../../../src/engine/raster/render.js");
  const light = directionalLight(30, 25);
  const mesh = { ...grid, tangents };
  const g = Float32Array.from(new Rng(5).normals(N * 3));
  const cases = [
    { light, specular: { strength: 0.3, shininess: 12 }, texture: { data: smoothTexture(16, 16, 3), width: 16, height: 16, channels: 3 }, normalMap: { data: smoothNormalMap(16, 16), width: 16, height: 16 } },
    { light, albedo: [0.7, 0.7, 0.7], normalMap: { data: smoothNormalMap(12, 8), width: 12, height: 8, wrap: "repeat" as const } },
    { light, albedo: [0.7, 0.7, 0.7] },
  ];
  for (const extra of cases) {
    const opts = { camera, width: S, height: S, ...extra };
    const kept = render(mesh, { ...opts, keepNormalFrame: true });
    assert.ok(kept.saved.frame.out.frame, "the frame is kept");
    const ref = renderBackward(render(mesh, opts), g);
    const got = renderBackward(kept, g);
    for (const k of ["positions", "normalMap"] as const) {
      if (!ref[k]) continue;
      assert.ok(relDiff(got[k]!, ref[k]!) < 1e-5, `${k}: ${relDiff(got[k]!, ref[k]!)}`);
    }
  }
});
