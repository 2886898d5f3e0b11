// The fused forward pixel loop's WebAssembly SIMD kernel (wasm/fused-kernel.ts) against the JS
// loop, byte for byte: on the ICT region and a small grid, every configuration the kernel
// takes (C = 3 and 4, texture or constant albedo, lit or not, normal map on the texture's grid
// or its own, keeping the normal frame), the ones it declines (specular, repeat), in a worker
// thread on the same memory, and across a memory grow. Also the arena's buffer recognition.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Worker } from "node:worker_threads";
import { ictRegionMesh } from "../../helpers/ict.js";
import { affineNormalMap, affineTexture, bumpyGrid, smoothNormalMap, smoothTexture } from "../../helpers/meshes.js";
import { orbitCamera, directionalLight } from "../../../src/engine/raster/camera.js";
import { prepareFrame, render, type RenderMesh, type RenderOptions } from "../../../src/engine/raster/render.js";
import { forwardBand, type Frame } from "../../../src/engine/raster/bands.js";
import { WasmArena, arenaOf, canUseArena } from "../../../src/engine/raster/wasm/arena.js";
import { wasmPixelCalls, wasmSimdSupported } from "../../../src/engine/raster/wasm/fused-kernel.js";

const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const OUTS = ["image", "mask", "albedoImg", "normals", "uvImg", "frame"] as const;

/** A frame in `arena`, its bands run on this thread; the kernel call count it took. */
function arenaFrame(arena: WasmArena, mesh: RenderMesh, opts: RenderOptions, bands = 3): { frame: Frame; calls: number } {
  const { frame } = prepareFrame(mesh, opts, arena);
  frame.fused.wasm = arena.memory;
  // Reused slots: the normal frame is written at covered pixels only (fresh arrays hold zeros).
  frame.out.frame?.fill(0);
  const before = wasmPixelCalls();
  const H = opts.height;
  for (let b = 0; b < bands; b++) forwardBand(frame, Math.floor((b * H) / bands), Math.floor(((b + 1) * H) / bands));
  return { frame, calls: wasmPixelCalls() - before };
}

function assertSameAsRender(frame: Frame, mesh: RenderMesh, opts: RenderOptions, what: string): void {
  const ref = render(mesh, opts).saved.frame.out;
  for (const k of OUTS) {
    const a = ref[k], b = frame.out[k];
    assert.equal(a === null, b === null, `${what}: ${k} present in one path only`);
    if (a && b) assert.ok(bytes(a).equals(bytes(b)), `${what}: ${k} differs from the JS loop`);
  }
}

const light = directionalLight(30, 25);
const tex = (C: number, n = 64) => ({ data: affineTexture(n, n, C), width: n, height: n, channels: C });
const nmap = (n = 64) => ({ data: affineNormalMap(n, n), width: n, height: n });
const taken: Record<string, Partial<RenderOptions>> = {
  "texture + normal map + light (same grid)": { light, texture: tex(3), normalMap: nmap() },
  "same, keeping the normal frame": { light, texture: tex(3), normalMap: nmap(), keepNormalFrame: true },
  "texture + normal map on another grid, kept frame": { light, texture: tex(3, 48), normalMap: nmap(32), keepNormalFrame: true },
  "grey + normal map + light (carving)": { light, albedo: [0.7, 0.6, 0.5], normalMap: nmap(), keepNormalFrame: true },
  "texture + light, no normal map": { light, texture: tex(3), background: [0.1, 0.2, 0.3] },
  "texture, unlit (C = 3)": { texture: tex(3) },
  "latent, unlit (C = 4)": { texture: { data: smoothTexture(40, 40, 4), width: 40, height: 40, channels: 4 }, background: [0.5, -0.5, 0.25, 0] },
  "latent + light + normal map (C = 4)": { light, texture: { data: smoothTexture(40, 40, 4), width: 40, height: 40, channels: 4 }, normalMap: { data: smoothNormalMap(40, 40), width: 40, height: 40 }, keepNormalFrame: true },
  "grey, lit, C = 4 albedo": { light, albedo: [0.2, 0.4, 0.6, 0.8] },
};
/** Configurations with a background image, which needs the frame's size. */
const withBackgroundImage = (S: number): Record<string, Partial<RenderOptions>> => ({
  "texture + light, background image (C = 3)": { light, texture: tex(3), background: smoothTexture(S, S, 3, 0.3) },
  "latent, unlit, background image (C = 4)": { texture: { data: smoothTexture(40, 40, 4), width: 40, height: 40, channels: 4 }, background: smoothTexture(S, S, 4, 0.7) },
});

test("the runtime has WebAssembly SIMD and shared memory (Node ≥ 20)", () => {
  assert.ok(wasmSimdSupported(), "SIMD kernels do not validate");
  assert.ok(canUseArena(), "no shared WebAssembly memory");
});

test("fused SIMD kernel equals the JS loop byte for byte, every configuration, ICT region and a grid", async () => {
  const ict = await ictRegionMesh();
  const grid = bumpyGrid(6);
  const meshes: [string, RenderMesh, RenderOptions["camera"], number][] = [
    ["ICT", ict, orbitCamera({ azimuth: 20 }), 128],
    ["grid", grid, orbitCamera({ azimuth: 20, elevation: 10, distance: 5, target: [0, 0, 0], fovY: 40 }), 40],
  ];
  const arena = new WasmArena();
  for (const [m, mesh, camera, S] of meshes) {
    for (const [name, extra] of Object.entries({ ...taken, ...withBackgroundImage(S) })) {
      const opts: RenderOptions = { camera, width: S, height: S, ...extra };
      const { frame, calls } = arenaFrame(arena, mesh, opts);
      assert.equal(calls, 3, `${m}, ${name}: the kernel did not run on every band`);
      assert.ok(frame.out.mask.some((x) => x === 1), `${m}: nothing covered`);
      assertSameAsRender(frame, mesh, opts, `${m}, ${name}`);
    }
  }
});

test("the kernel declines specular, repeat wrapping and arrays outside the arena; results still equal", async () => {
  const mesh = await ictRegionMesh();
  const camera = orbitCamera({ azimuth: 20 });
  const arena = new WasmArena();
  const declined: Record<string, Partial<RenderOptions>> = {
    specular: { light, texture: tex(3), normalMap: nmap(), specular: { strength: 0.2, shininess: 16 } },
    "repeat texture": { light, texture: { ...tex(3), wrap: "repeat" } },
    "C = 2": { albedo: [0.3, 0.9] },
  };
  for (const [name, extra] of Object.entries(declined)) {
    const opts: RenderOptions = { camera, width: 96, height: 96, ...extra };
    const { frame, calls } = arenaFrame(arena, mesh, opts);
    assert.equal(calls, 0, `${name}: the kernel should decline`);
    assertSameAsRender(frame, mesh, opts, name);
  }
  // Plain arrays (render() itself): JS path.
  const before = wasmPixelCalls();
  render(mesh, { camera, width: 64, height: 64, light, texture: tex(3) });
  assert.equal(wasmPixelCalls(), before, "render() without an arena must not reach the kernel");
});

test("arena: recognises its views across a grow, declines copies and other buffers", () => {
  const arena = new WasmArena();
  const small = arena.f32("a", 16);
  small.set([1, 2, 3]);
  const big = arena.f32("b", 4 << 20); // 16 MiB: grows the memory
  assert.notEqual(small.buffer, big.buffer, "a grow should hand out a new buffer object");
  assert.equal(arenaOf(small.buffer), arena.memory);
  assert.equal(arenaOf(big.buffer), arena.memory);
  assert.deepEqual(Array.from(small.subarray(0, 3)), [1, 2, 3], "old views keep their bytes after a grow");
  const copy = (small.buffer as SharedArrayBuffer).slice(0);
  assert.equal(arenaOf(copy), null, "a copy of the bytes is not the memory");
  assert.equal(arenaOf(new ArrayBuffer(1024)), null);
  assert.equal(arenaOf(new WasmArena().memory.buffer) === arena.memory, false, "another arena is another memory");
  // A slot keeps its place while its size fits, and reads as zeros like a fresh one.
  const again = arena.f32("a", 8);
  assert.equal(again.byteOffset, small.byteOffset);
  assert.deepEqual(Array.from(again), new Array(8).fill(0));
});

const BOOTSTRAP = `
const { workerData } = require("node:worker_threads");
import(workerData.tsxApi).then((m) => { m.register(); return import(workerData.entry); });
`;

test("a worker thread runs the kernel on the same memory (after a grow too): bytes equal the JS loop", async () => {
  const mesh = await ictRegionMesh();
  const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { tsxApi: import.meta.resolve("tsx/esm/api"), entry: new URL("../../helpers/wasm-band-worker.ts", import.meta.url).href } });
  const ask = (m: unknown) => new Promise<{ calls?: number; error?: string }>((resolve, reject) => { worker.once("message", resolve); worker.once("error", reject); worker.postMessage(m); });
  try {
    const arena = new WasmArena();
    let last = 0;
    for (const S of [64, 200]) { // the second frame grows the memory under the worker's instance
      const opts: RenderOptions = { camera: orbitCamera({ azimuth: 20 }), width: S, height: S, light, texture: tex(3), normalMap: nmap(), keepNormalFrame: true };
      const { frame } = prepareFrame(mesh, opts, arena);
      frame.fused.wasm = arena.memory;
      frame.out.frame!.fill(0);
      const reply = await ask({ op: "forward", frame, edges: [0, S >> 1, S], next: new Int32Array(new SharedArrayBuffer(4)) });
      assert.equal(reply.error, undefined, reply.error);
      assert.equal(reply.calls, last + 2, `${S}²: the worker did not run the kernel on both bands`);
      last = reply.calls!;
      assertSameAsRender(frame, mesh, opts, `worker, ${S}²`);
    }
  } finally {
    await worker.terminate();
  }
});

test("the ParallelRenderer keeps frames in an arena: 2 threads, 4 bands give render()'s image bytes", async () => {
  const { createNodeRenderer } = await import("../../../data-loaders/raster/render-workers.js");
  const mesh = await ictRegionMesh();
  const opts: RenderOptions = { camera: orbitCamera({ azimuth: 20 }), width: 128, height: 128, light, texture: tex(3), normalMap: nmap(), keepNormalFrame: true };
  const r = await createNodeRenderer({ threads: 2, bands: 4 });
  try {
    assert.ok(r.simd, "the renderer should use a WasmArena here");
    const before = wasmPixelCalls();
    const f = await r.render(mesh, opts);
    assert.ok(wasmPixelCalls() > before, "the calling thread's bands did not run the kernel");
    assert.ok(bytes(f.image).equals(bytes(render(mesh, opts).image)), "image differs from render()");
  } finally {
    await r.close();
  }
});
