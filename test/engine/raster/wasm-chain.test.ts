// The normal-chain adjoint's WebAssembly SIMD kernel (wasm/normal-chain-kernel.ts) against the
// JS loop of normalChainBackward, byte for byte, through the whole adjoint: a ParallelRenderer
// with one band (frames in its WasmArena) against renderBackward, on the ICT region and a grid,
// with and without a normal map, a kept normal frame, and every gradient target combination.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ictRegionMesh } from "../../helpers/ict.js";
import { affineNormalMap, bumpyGrid, smoothNormalMap, smoothTexture } from "../../helpers/meshes.js";
import { orbitCamera, directionalLight } from "../../../src/engine/raster/camera.js";
import { render, renderBackward, type GradTarget, type RenderMesh, type RenderOptions } from "../../../src/engine/raster/render.js";
import { ParallelRenderer } from "../../../src/engine/raster/parallel.js";
import { wasmChainCalls } from "../../../src/engine/raster/wasm/normal-chain-kernel.js";
import { Rng } from "../../../src/engine/util/rng.js";

const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const light = directionalLight(30, 25);

const targets: GradTarget[][] = [["texture", "normalMap", "positions"], ["normalMap", "positions"], ["normalMap"], ["positions"], ["texture", "positions"]];

test("normal-chain kernel: ParallelRenderer (arena, 1 band) gives renderBackward's bytes, every configuration", async () => {
  const ict = await ictRegionMesh();
  const grid = bumpyGrid(8);
  const meshes: [string, RenderMesh, RenderOptions["camera"], number][] = [
    ["ICT", ict, orbitCamera({ azimuth: 20 }), 96],
    ["grid", grid, orbitCamera({ azimuth: 20, elevation: 10, distance: 5, target: [0, 0, 0], fovY: 40 }), 48],
  ];
  const looks: Record<string, Partial<RenderOptions>> = {
    "texture + normal map": { light, texture: { data: smoothTexture(48, 48, 3), width: 48, height: 48, channels: 3 }, normalMap: { data: affineNormalMap(48, 48), width: 48, height: 48 } },
    "grey + normal map on its own grid": { light, albedo: [0.7, 0.7, 0.7], normalMap: { data: smoothNormalMap(40, 40), width: 40, height: 40 } },
    "texture, no normal map": { light, texture: { data: smoothTexture(32, 32, 3), width: 32, height: 32, channels: 3 } },
    "latent + normal map (C = 4)": { light, texture: { data: smoothTexture(32, 32, 4), width: 32, height: 32, channels: 4 }, normalMap: { data: smoothNormalMap(32, 32), width: 32, height: 32 } },
  };
  let checked = 0;
  for (const [m, mesh, camera, S] of meshes) {
    for (const [name, look] of Object.entries(looks)) {
      for (const keepNormalFrame of [false, true]) {
        const opts: RenderOptions = { camera, width: S, height: S, ...look, keepNormalFrame };
        const C = look.texture?.channels ?? 3;
        const grad = Float32Array.from(new Rng(S + C).normals(S * S * C));
        for (let i = 0; i < grad.length; i += 97) grad.fill(0, i, i + C); // some pixels without a gradient
        const r = new ParallelRenderer([], { bands: 1 });
        for (const wrt of targets) {
          const what = `${m}, ${name}, ${keepNormalFrame ? "kept frame" : "recomputed frame"}, wrt ${wrt.join("+")}`;
          const ref = renderBackward(render(mesh, opts), grad, wrt);
          const before = wasmChainCalls();
          const got = await r.renderBackward(await r.render(mesh, opts), grad, wrt);
          const chain = wrt.includes("positions") || (wrt.includes("normalMap") && look.normalMap);
          assert.equal(wasmChainCalls() > before, Boolean(chain), `${what}: kernel ran ${wasmChainCalls() - before} times`);
          for (const k of ["texture", "normalMap", "positions"] as const) {
            assert.equal(ref[k] === undefined, got[k] === undefined, `${what}: ${k} present in one path only`);
            if (ref[k]) assert.ok(bytes(ref[k]).equals(bytes(got[k]!)), `${what}: ${k} differs`);
          }
          checked++;
        }
      }
    }
  }
  assert.equal(checked, 2 * 4 * 2 * targets.length);
});
