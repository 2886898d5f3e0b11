// render() runs the per-pixel ops fused (fused.ts); this holds it equal to composing the
// separate ops, whose adjoints renderBackward uses.
import { test } from "node:test";
import assert from "node:assert/strict";
import { bumpyGrid, smoothNormalMap, smoothTexture } from "../../helpers/meshes.js";
import { orbitCamera, directionalLight } from "../../../src/engine/raster/camera.js";
import { rasterize } from "../../../src/engine/raster/rasterize.js";
import { interpolate } from "../../../src/engine/raster/interpolate.js";
import { sampleTexture, type Wrap } from "../../../src/engine/raster/texture.js";
import { shadingNormals, tangentXyz, vertexBitangents } from "../../../src/engine/raster/normalmap.js";
import { composite, shade, type Specular } from "../../../src/engine/raster/shade.js";
import { render, type RenderOptions } from "../../../src/engine/raster/render.js";
import { vertexNormals, vertexTangents } from "../../../src/engine/face/normals.js";
import type { DirectionalLight } from "../../../src/engine/raster/types.js";

const grid = bumpyGrid(7);
const camera = orbitCamera({ azimuth: -15, elevation: 12, distance: 5, target: [0, 0, 0], fovY: 40 });
const S = 40;

function composed(opts: { texture?: { data: Float32Array; width: number; height: number; channels: number; wrap?: Wrap }; normalMap?: { data: Float32Array; width: number; height: number }; light?: DirectionalLight; specular?: Specular; background: number[]; albedo?: number[] }): Float32Array {
  const r = rasterize(grid, camera, S, S);
  const ids = r.triangleId;
  const C = opts.texture?.channels ?? opts.albedo!.length;
  const uvImg = interpolate(r, grid, grid.uv, 2);
  const albedo = opts.texture
    ? sampleTexture(uvImg, ids, opts.texture.data, opts.texture.width, opts.texture.height, C, { wrap: opts.texture.wrap })
    : Float32Array.from({ length: S * S * C }, (_, i) => (ids[Math.floor(i / C)] ? opts.albedo![i % C]! : 0));
  let image: Float32Array = albedo.slice();
  if (opts.light) {
    const vn = vertexNormals(grid.positions, grid.triangles);
    const geomN = interpolate(r, grid, vn, 3);
    let T = null, B = null, ts = null;
    if (opts.normalMap) {
      const tangents = vertexTangents(grid.positions, vn, grid.uv, grid.triangles);
      T = interpolate(r, grid, tangentXyz(tangents), 3);
      B = interpolate(r, grid, vertexBitangents(vn, tangents), 3);
      ts = sampleTexture(uvImg, ids, opts.normalMap.data, opts.normalMap.width, opts.normalMap.height, 3);
    }
    const n = shadingNormals(geomN, T, B, ts, ids);
    let view = null;
    if (opts.specular) {
      view = interpolate(r, grid, grid.positions, 3);
      for (let p = 0; p < S * S; p++) {
        const x = camera.eye[0] - view[3 * p]!, y = camera.eye[1] - view[3 * p + 1]!, z = camera.eye[2] - view[3 * p + 2]!;
        const l = Math.sqrt(x * x + y * y + z * z) || 1;
        view[3 * p] = x / l; view[3 * p + 1] = y / l; view[3 * p + 2] = z / l;
      }
    }
    image = shade(albedo, C, n, ids, opts.light, opts.specular, view);
  }
  return composite(image, C, ids, opts.background);
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const light = directionalLight(40, 20);
const cases: [string, Parameters<typeof composed>[0]][] = [
  ["lit RGB texture + normal map + specular", { texture: { data: smoothTexture(16, 16, 3), width: 16, height: 16, channels: 3 }, normalMap: { data: smoothNormalMap(16, 16), width: 16, height: 16 }, light, specular: { strength: 0.3, shininess: 10 }, background: [0.1, 0.2, 0.3] }],
  // Different texel grids: the fused pass cannot share the bilinear taps between the two maps.
  ["lit RGB texture 16² + normal map 8×12, repeat", { texture: { data: smoothTexture(16, 16, 3), width: 16, height: 16, channels: 3, wrap: "repeat" }, normalMap: { data: smoothNormalMap(8, 12), width: 8, height: 12 }, light, background: [0, 0, 0] }],
  ["lit constant albedo + normal map (detail carving)", { albedo: [0.7, 0.7, 0.7], normalMap: { data: smoothNormalMap(16, 16), width: 16, height: 16 }, light, background: [1, 1, 1] }],
  ["lit grey", { albedo: [0.7, 0.7, 0.7], light, background: [1, 1, 1] }],
  ["unlit 4-channel latent, repeat wrap", { texture: { data: smoothTexture(8, 8, 4), width: 8, height: 8, channels: 4, wrap: "repeat" }, background: [0, 0, 0, 0] }],
];
for (const [name, c] of cases) {
  test(`render (fused) equals the composed ops: ${name}`, () => {
    const out = render(grid, { camera, width: S, height: S, ...c } as RenderOptions);
    const ref = composed(c);
    assert.ok(maxDiff(out.image, ref) < 1e-6, `max difference ${maxDiff(out.image, ref)}`);
    assert.ok(out.mask.some((m) => m === 1) && out.mask.some((m) => m === 0));
  });
}
