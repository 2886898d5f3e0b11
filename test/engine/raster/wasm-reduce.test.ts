// The band reduction's WebAssembly SIMD kernel (wasm/reduce-kernel.ts) against the JS loop, byte
// for byte: ranges of every length mod 4 at every alignment, values over many magnitudes (the
// float32 rounding of each add matters), the source zeroed after; and in the ParallelRenderer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { WasmArena } from "../../../src/engine/raster/wasm/arena.js";
import { addAndClearWasm, wasmReduceCalls } from "../../../src/engine/raster/wasm/reduce-kernel.js";
import { ParallelRenderer } from "../../../src/engine/raster/parallel.js";
import { orbitCamera, directionalLight } from "../../../src/engine/raster/camera.js";
import type { RenderOptions } from "../../../src/engine/raster/render.js";
import { Rng } from "../../../src/engine/util/rng.js";
import { ictRegionMesh } from "../../helpers/ict.js";
import { affineNormalMap, smoothTexture } from "../../helpers/meshes.js";

const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

test("addAndClear kernel = JS dst += src then src = 0, byte for byte, for every range shape", () => {
  const arena = WasmArena.create();
  assert.ok(arena, "this Node has shared WebAssembly memory");
  const rng = new Rng(5);
  const n = 257;
  const dst = arena.f32("dst", n), src = arena.f32("src", n);
  for (const [lo, hi] of [[0, n], [1, 2], [3, 10], [5, 256], [2, 257], [0, 4], [7, 7]] as const) {
    for (let i = 0; i < n; i++) { dst[i] = rng.normal() * 10 ** Math.round(rng.uniform() * 10 - 5); src[i] = rng.normal() * 10 ** Math.round(rng.uniform() * 10 - 5); }
    const want = dst.slice(), wantSrc = src.slice();
    for (let i = lo; i < hi; i++) { want[i] += wantSrc[i]!; wantSrc[i] = 0; }
    const ran = addAndClearWasm(dst, src, lo, hi);
    assert.equal(ran, hi > lo, `[${lo}, ${hi}): the kernel ran`);
    assert.ok(bytes(dst).equals(bytes(want)), `[${lo}, ${hi}): sums differ`);
    assert.ok(bytes(src).equals(bytes(wantSrc)), `[${lo}, ${hi}): source not cleared exactly there`);
  }
  // Arrays outside the arena: declined, untouched.
  const plain = new Float32Array(8).fill(1);
  assert.equal(addAndClearWasm(plain, new Float32Array(8).fill(2), 0, 8), false);
  assert.deepEqual(Array.from(plain), new Array(8).fill(1));
});

test("the float64 addAndClear kernel (clip gradients) = JS dst += src then src = 0, byte for byte", () => {
  const arena = WasmArena.create();
  assert.ok(arena);
  const rng = new Rng(6);
  const n = 131;
  const dst = arena.f64("dst64", n), src = arena.f64("src64", n);
  for (const [lo, hi] of [[0, n], [1, 2], [3, 10], [5, 130], [2, 131], [7, 7]] as const) {
    for (let i = 0; i < n; i++) { dst[i] = rng.normal() * 10 ** Math.round(rng.uniform() * 20 - 10); src[i] = rng.normal() * 10 ** Math.round(rng.uniform() * 20 - 10); }
    const want = dst.slice(), wantSrc = src.slice();
    for (let i = lo; i < hi; i++) { want[i] += wantSrc[i]!; wantSrc[i] = 0; }
    assert.equal(addAndClearWasm(dst, src, lo, hi), hi > lo);
    assert.ok(bytes(dst).equals(bytes(want)), `[${lo}, ${hi}): sums differ`);
    assert.ok(bytes(src).equals(bytes(wantSrc)), `[${lo}, ${hi}): source not cleared exactly there`);
  }
  // Mixed element types are declined.
  assert.equal(addAndClearWasm(dst, arena.f32("src32", n), 0, 4), false);
});

test("the ParallelRenderer reduces through the kernel, and its gradients equal the JS reduction's", async () => {
  const mesh = await ictRegionMesh();
  const S = 96;
  const opts: RenderOptions = {
    camera: orbitCamera({ azimuth: 15 }), width: S, height: S, light: directionalLight(30, 25), keepNormalFrame: true,
    texture: { data: smoothTexture(64, 64, 3), width: 64, height: 64, channels: 3 }, normalMap: { data: affineNormalMap(64, 64), width: 64, height: 64 },
  };
  const grad = Float32Array.from(new Rng(8).normals(S * S * 3));
  const r = new ParallelRenderer([], { bands: 4 });
  const before = wasmReduceCalls();
  const g = await r.renderBackward(await r.render(mesh, opts), grad);
  assert.ok(wasmReduceCalls() > before, "the reduction ran in WebAssembly");
  const texture = g.texture!.slice(), normalMap = g.normalMap!.slice();
  const { setWasmKernels } = await import("../../../src/engine/raster/wasm/kernel.js");
  setWasmKernels(false);
  try {
    const js = new ParallelRenderer([], { bands: 4 });
    const h = await js.renderBackward(await js.render(mesh, opts), grad);
    assert.ok(bytes(h.texture!).equals(bytes(texture)) && bytes(h.normalMap!).equals(bytes(normalMap)), "kernel and JS reductions differ");
  } finally {
    setWasmKernels(true);
  }
});
