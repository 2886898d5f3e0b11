// The texture adjoint's WebAssembly SIMD kernel (wasm/texture-kernel.ts) against the JS loop of
// sampleTextureBackward, byte for byte: C = 3 and 4, with and without dL/duv and a mask,
// coordinates past the borders (clamped taps that coincide), zero gradients (skipped pixels,
// skipped channels), onto buffers already holding sums; and through the ParallelRenderer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sampleTextureBackward } from "../../../src/engine/raster/texture.js";
import { WasmArena } from "../../../src/engine/raster/wasm/arena.js";
import { wasmTextureCalls } from "../../../src/engine/raster/wasm/texture-kernel.js";
import { ictRegionMesh } from "../../helpers/ict.js";
import { affineNormalMap, smoothTexture } from "../../helpers/meshes.js";
import { orbitCamera, directionalLight } from "../../../src/engine/raster/camera.js";
import { render, renderBackward, type RenderOptions } from "../../../src/engine/raster/render.js";
import { ParallelRenderer } from "../../../src/engine/raster/parallel.js";
import { Rng } from "../../../src/engine/util/rng.js";

const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

function inputs(C: number, seed: number) {
  const rng = new Rng(seed);
  const N = 3000, tw = 23, th = 17;
  const uv = new Float32Array(N * 2);
  for (let i = 0; i < uv.length; i++) uv[i] = rng.uniform() * 1.3 - 0.15; // some past the borders
  const mask = new Int32Array(N);
  for (let p = 0; p < N; p++) mask[p] = rng.uniform() < 0.2 ? 0 : 1 + (p % 7);
  const texture = Float32Array.from(rng.normals(tw * th * C));
  const grad = Float32Array.from(rng.normals(N * C));
  for (let p = 0; p < N; p++) {
    if (p % 11 === 0) grad.fill(0, p * C, (p + 1) * C); // a pixel with no gradient
    if (p % 5 === 0) grad[p * C + (p % C)] = 0; // one zero channel
  }
  const gTex = Float32Array.from(rng.normals(texture.length)); // sums already there
  const gUv = Float32Array.from(rng.normals(N * 2));
  return { N, tw, th, uv, mask, texture, grad, gTex, gUv };
}

for (const C of [3, 4]) {
  for (const wantUv of [true, false]) {
    for (const masked of [true, false]) {
      test(`texture adjoint kernel equals JS byte for byte: C = ${C}, ${wantUv ? "with" : "without"} dL/duv, ${masked ? "masked" : "every pixel"}`, () => {
        const x = inputs(C, 10 * C + (wantUv ? 1 : 0) + (masked ? 2 : 0));
        const js = { texture: x.gTex.slice(), uv: wantUv ? x.gUv.slice() : null };
        sampleTextureBackward(x.uv, masked ? x.mask : null, x.texture, x.tw, x.th, C, x.grad, {}, js, 100, x.N - 50);
        const arena = new WasmArena();
        const put = <T extends Float32Array | Int32Array>(name: string, a: T): T => {
          const o = (a instanceof Int32Array ? arena.i32(name, a.length) : arena.f32(name, a.length)) as T;
          o.set(a);
          return o;
        };
        const w = { texture: put("gTex", x.gTex), uv: wantUv ? put("gUv", x.gUv) : null };
        const before = wasmTextureCalls();
        sampleTextureBackward(put("uv", x.uv), masked ? put("mask", x.mask) : null, put("tex", x.texture), x.tw, x.th, C, put("grad", x.grad), {}, w, 100, x.N - 50);
        assert.equal(wasmTextureCalls(), before + 1, "the kernel did not run");
        assert.ok(bytes(w.texture).equals(bytes(js.texture)), "dL/dtexture differs");
        if (wantUv) assert.ok(bytes(w.uv!).equals(bytes(js.uv!)), "dL/duv differs");
      });
    }
  }
}

test("texture adjoint kernel equals JS on non-finite inputs: NaN u or v alone, infinite texels, zero channels beside them", () => {
  for (const C of [3, 4]) {
    const x = inputs(C, 99 + C);
    x.uv[2 * 200] = NaN; x.uv[2 * 201 + 1] = NaN; x.uv[2 * 202] = Infinity; x.uv[2 * 203 + 1] = -Infinity;
    x.texture[5] = Infinity; x.texture[7 * C] = -Infinity; x.texture[C * 30 + 1] = NaN;
    for (let p = 200; p < 260; p++) x.grad[p * C + 1] = 0;
    const js = { texture: x.gTex.slice(), uv: x.gUv.slice() };
    sampleTextureBackward(x.uv, x.mask.fill(1, 200, 204), x.texture, x.tw, x.th, C, x.grad, {}, js);
    const arena = new WasmArena();
    const f = (name: string, a: Float32Array) => { const o = arena.f32(name, a.length); o.set(a); return o; };
    const m = arena.i32("mask", x.N); m.set(x.mask);
    const w = { texture: f("gTex", x.gTex), uv: f("gUv", x.gUv) };
    const before = wasmTextureCalls();
    sampleTextureBackward(f("uv", x.uv), m, f("tex", x.texture), x.tw, x.th, C, f("grad", x.grad), {}, w);
    assert.equal(wasmTextureCalls(), before + 1);
    assert.ok(bytes(w.texture).equals(bytes(js.texture)), `C = ${C}: dL/dtexture differs`);
    assert.ok(bytes(w.uv).equals(bytes(js.uv)), `C = ${C}: dL/duv differs`);
  }
});

test("ParallelRenderer (arena, 1 band) gives renderBackward's bytes with the texture kernel: C = 3 lit and C = 4 latent", async () => {
  const mesh = await ictRegionMesh();
  const S = 96;
  const camera = orbitCamera({ azimuth: 20 });
  const cases: RenderOptions[] = [
    { camera, width: S, height: S, light: directionalLight(30, 25), texture: { data: smoothTexture(48, 48, 3), width: 48, height: 48, channels: 3 }, normalMap: { data: affineNormalMap(48, 48), width: 48, height: 48 } },
    { camera, width: S, height: S, texture: { data: smoothTexture(40, 40, 4), width: 40, height: 40, channels: 4 } },
  ];
  for (const opts of cases) {
    const C = opts.texture!.channels!;
    const grad = Float32Array.from(new Rng(5).normals(S * S * C));
    const ref = renderBackward(render(mesh, opts), grad);
    const r = new ParallelRenderer([], { bands: 1 });
    assert.ok(r.simd);
    const before = wasmTextureCalls();
    const got = await r.renderBackward(await r.render(mesh, opts), grad);
    assert.ok(wasmTextureCalls() > before, `C = ${C}: the kernel did not run`);
    for (const k of ["texture", "normalMap", "positions"] as const) {
      assert.equal(ref[k] === undefined, got[k] === undefined);
      if (ref[k]) assert.ok(bytes(ref[k]).equals(bytes(got[k]!)), `C = ${C}: ${k} differs`);
    }
  }
});
