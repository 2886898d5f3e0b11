// The uv interpolation adjoint's barycentric kernel (wasm/interp-kernel.ts): the JS
// interpolateBackwardBary against interpolateBackward's dL/dbary (C = 1, 2, 4), the kernel against
// the JS loop byte for byte on the ICT region (zero gradient channels, non-finite attributes,
// existing sums, a pixel range), and through the ParallelRenderer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rasterize } from "../../../src/engine/raster/rasterize.js";
import { interpolateBackward, interpolateBackwardBary } from "../../../src/engine/raster/interpolate.js";
import { WasmArena } from "../../../src/engine/raster/wasm/arena.js";
import { wasmInterpCalls } from "../../../src/engine/raster/wasm/interp-kernel.js";
import { ictRegionMesh } from "../../helpers/ict.js";
import { orbitCamera, directionalLight } from "../../../src/engine/raster/camera.js";
import { render, renderBackward, type RenderOptions } from "../../../src/engine/raster/render.js";
import { ParallelRenderer } from "../../../src/engine/raster/parallel.js";
import { smoothTexture } from "../../helpers/meshes.js";
import { Rng } from "../../../src/engine/util/rng.js";

const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const camera = orbitCamera({ azimuth: 20 });
const S = 128;

async function setup(C: number, seed: number) {
  const m = await ictRegionMesh();
  const mesh = { positions: m.positions, triangles: Uint32Array.from(m.triangles, (v) => m.source![v]!) };
  const raster = rasterize(mesh, camera, S, S);
  const rng = new Rng(seed);
  const attr = Float32Array.from(rng.normals((m.positions.length / 3) * C));
  const grad = Float32Array.from(rng.normals(S * S * C));
  for (let p = 0; p < S * S; p++) {
    if (p % 7 === 0) grad[p * C + (p % C)] = 0; // one zero channel
    if (p % 23 === 0) grad.fill(0, p * C, (p + 1) * C); // none
  }
  const gBary = Float32Array.from(rng.normals(S * S * 2)); // sums already there
  return { mesh, raster, attr, grad, gBary };
}

test("interpolateBackwardBary gives interpolateBackward's dL/dbary bytes, C = 1, 2, 4 (and refuses 3)", async () => {
  const x3 = await setup(3, 3);
  assert.throws(() => interpolateBackwardBary(x3.raster.triangleId, x3.mesh.triangles, x3.attr, 3, x3.grad, x3.gBary, 0, 10), /C = 3/);
  for (const C of [1, 2, 4]) {
    const x = await setup(C, C);
    const ref = x.gBary.slice(), got = x.gBary.slice();
    interpolateBackward(x.raster, x.mesh, x.attr, C, x.grad, { bary: ref }, 300, S * S - 200);
    interpolateBackwardBary(x.raster.triangleId, x.mesh.triangles, x.attr, C, x.grad, got, 300, S * S - 200);
    assert.ok(bytes(got).equals(bytes(ref)), `C = ${C}: dL/dbary differs`);
    assert.ok(!bytes(ref).equals(bytes(x.gBary)));
  }
});

test("uv barycentric adjoint kernel equals JS byte for byte (C = 2), incl. infinite and NaN attributes beside zero channels", async () => {
  for (const special of [false, true]) {
    const x = await setup(2, 9);
    if (special) {
      // Vertices of covered triangles get ±∞ and NaN; zero channels there must stay skipped.
      const ids = x.raster.triangleId;
      let k = 0;
      for (let p = 0; p < S * S && k < 40; p += 101) {
        if (ids[p] === 0) continue;
        const v = x.mesh.triangles[3 * (ids[p]! - 1) + (k % 3)]!;
        x.attr[2 * v + (k % 2)] = k % 3 === 0 ? NaN : k % 3 === 1 ? Infinity : -Infinity;
        x.grad[2 * p + (k % 2)] = 0;
        k++;
      }
    }
    const js = x.gBary.slice();
    interpolateBackwardBary(x.raster.triangleId, x.mesh.triangles, x.attr, 2, x.grad, js, 100, S * S - 77);
    const arena = new WasmArena();
    const put = <T extends Float32Array | Int32Array | Uint32Array>(name: string, a: T): T => {
      const o = (a instanceof Float32Array ? arena.f32(name, a.length) : a instanceof Int32Array ? arena.i32(name, a.length) : arena.u32(name, a.length)) as T;
      o.set(a as never);
      return o;
    };
    const w = put("gBary", x.gBary);
    const before = wasmInterpCalls();
    interpolateBackwardBary(put("ids", x.raster.triangleId), put("tris", x.mesh.triangles), put("attr", x.attr), 2, put("grad", x.grad), w, 100, S * S - 77);
    assert.equal(wasmInterpCalls(), before + 1, "the kernel did not run");
    assert.ok(bytes(w).equals(bytes(js)), `${special ? "non-finite" : "finite"} attributes: dL/dbary differs`);
    if (special) assert.ok(js.some((v) => Number.isNaN(v)), "the case should reach NaN sums");
  }
});

test("ParallelRenderer (arena, 1 band) gives renderBackward's position bytes with the uv kernel running", async () => {
  const mesh = await ictRegionMesh();
  const W = 96;
  const opts: RenderOptions = { camera, width: W, height: W, light: directionalLight(30, 25), texture: { data: smoothTexture(48, 48, 4), width: 48, height: 48, channels: 4 } };
  const grad = Float32Array.from(new Rng(8).normals(W * W * 4));
  const ref = renderBackward(render(mesh, opts), grad);
  const r = new ParallelRenderer([], { bands: 1 });
  const before = wasmInterpCalls();
  const got = await r.renderBackward(await r.render(mesh, opts), grad);
  assert.ok(wasmInterpCalls() > before, "the kernel did not run");
  assert.ok(bytes(ref.positions!).equals(bytes(got.positions!)), "positions differ");
});
