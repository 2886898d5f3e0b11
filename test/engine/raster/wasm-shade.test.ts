// The shading adjoint's WebAssembly SIMD kernel (wasm/shade-kernel.ts) against shadeBackward
// and shadeBackwardAlbedo's JS loops, byte for byte: C = 3 and 4, background pixels, pixels the
// light misses, outputs holding old values (the band's clears), a band of pixels; and the
// declines (specular, C = 2).
import { test } from "node:test";
import assert from "node:assert/strict";
import { shadeBackward, shadeBackwardAlbedo } from "../../../src/engine/raster/shade.js";
import { directionalLight } from "../../../src/engine/raster/camera.js";
import { WasmArena } from "../../../src/engine/raster/wasm/arena.js";
import { wasmShadeCalls } from "../../../src/engine/raster/wasm/shade-kernel.js";
import { Rng } from "../../../src/engine/util/rng.js";

const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const light = directionalLight(30, 25);

function inputs(C: number, seed: number) {
  const rng = new Rng(seed), N = 2500;
  const mask = new Int32Array(N).map(() => (rng.uniform() < 0.25 ? 0 : 1));
  const normals = new Float32Array(N * 3);
  for (let p = 0; p < N; p++) {
    const v = rng.normals(3), l = Math.hypot(...v); // random directions: about half face away from the light
    normals.set(v.map((x) => x / l), 3 * p);
  }
  return { N, mask, normals, albedo: Float32Array.from(rng.normals(N * C)), grad: Float32Array.from(rng.normals(N * C)), junkA: Float32Array.from(rng.normals(N * C)), junkN: Float32Array.from(rng.normals(N * 3)) };
}

for (const C of [3, 4]) {
  test(`shading adjoint kernel equals JS byte for byte, C = ${C} (with and without dL/dn)`, () => {
    const x = inputs(C, C);
    const arena = new WasmArena();
    const put = (name: string, a: Float32Array) => { const o = arena.f32(name, a.length); o.set(a); return o; };
    const mask = arena.i32("mask", x.N); mask.set(x.mask);
    const normals = put("normals", x.normals), albedo = put("albedo", x.albedo), grad = put("grad", x.grad);
    const p0 = 100, p1 = x.N - 77;
    // shadeBackward
    const js = { albedo: x.junkA.slice(), normals: x.junkN.slice() };
    shadeBackward(x.albedo, C, x.normals, x.mask, light, null, null, x.grad, p0, p1, js);
    const w = { albedo: put("gA", x.junkA), normals: put("gN", x.junkN) };
    let before = wasmShadeCalls();
    shadeBackward(albedo, C, normals, mask, light, null, null, grad, p0, p1, w);
    assert.equal(wasmShadeCalls(), before + 1, "the kernel did not run");
    assert.ok(bytes(w.albedo).equals(bytes(js.albedo)), "dL/dalbedo differs");
    assert.ok(bytes(w.normals).equals(bytes(js.normals)), "dL/dn differs");
    // shadeBackwardAlbedo
    const jsA = x.junkA.slice();
    shadeBackwardAlbedo(C, x.normals, x.mask, light, x.grad, p0, p1, jsA);
    const wA = put("gA2", x.junkA);
    before = wasmShadeCalls();
    shadeBackwardAlbedo(C, normals, mask, light, grad, p0, p1, wA);
    assert.equal(wasmShadeCalls(), before + 1, "the albedo kernel did not run");
    assert.ok(bytes(wA).equals(bytes(jsA)), "shadeBackwardAlbedo differs");
  });
}

test("shading adjoint kernel declines specular and C = 2 (JS runs, same results as plain arrays)", () => {
  const arena = new WasmArena();
  for (const [C, specular] of [[3, { strength: 0.2, shininess: 16 }], [2, null]] as const) {
    const x = inputs(C, 9);
    const put = (name: string, a: Float32Array) => { const o = arena.f32(`${name}${C}`, a.length); o.set(a); return o; };
    const mask = arena.i32(`mask${C}`, x.N); mask.set(x.mask);
    const viewDirs = put("view", x.normals);
    const before = wasmShadeCalls();
    const w = { albedo: put("gA", x.junkA), normals: put("gN", x.junkN) };
    shadeBackward(put("albedo", x.albedo), C, put("normals", x.normals), mask, light, specular, viewDirs, put("grad", x.grad), 0, x.N, w);
    assert.equal(wasmShadeCalls(), before, "the kernel should decline");
    const js = shadeBackward(x.albedo, C, x.normals, x.mask, light, specular, x.normals, x.grad);
    assert.ok(bytes(w.albedo).equals(bytes(js.albedo)) && bytes(w.normals).equals(bytes(js.normals)));
  }
});
