// The clip-space barycentric kernels (wasm/clip-kernel.ts) against rasterize.ts's JS loops, byte
// for byte: resolve (pass 2) and rasterizeBackwardClip on the ICT region, over all rows and a
// band of rows, onto dL/dclip already holding sums; made-up ids onto degenerate triangles and a
// vertex on the camera plane (∞ and NaN, compared as values with any NaN equal); and through
// the ParallelRenderer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rasterize, rasterizeBackwardClip, rasterizeRows, screenCoords } from "../../../src/engine/raster/rasterize.js";
import { WasmArena } from "../../../src/engine/raster/wasm/arena.js";
import { wasmClipCalls } from "../../../src/engine/raster/wasm/clip-kernel.js";
import { ictRegionMesh } from "../../helpers/ict.js";
import { orbitCamera, directionalLight } from "../../../src/engine/raster/camera.js";
import { render, renderBackward, type RenderOptions } from "../../../src/engine/raster/render.js";
import { ParallelRenderer } from "../../../src/engine/raster/parallel.js";
import { smoothTexture } from "../../helpers/meshes.js";
import { Rng } from "../../../src/engine/util/rng.js";

const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const camera = orbitCamera({ azimuth: 20 });

async function ictTriangleMesh() {
  const m = await ictRegionMesh();
  return { positions: m.positions, triangles: Uint32Array.from(m.triangles, (v) => m.source![v]!) };
}

function inArena<T extends Float64Array | Float32Array | Int32Array | Uint32Array>(arena: WasmArena, name: string, a: T): T {
  const o = (a instanceof Float64Array ? arena.f64(name, a.length) : a instanceof Float32Array ? arena.f32(name, a.length) : a instanceof Int32Array ? arena.i32(name, a.length) : arena.u32(name, a.length)) as T;
  o.set(a as never);
  return o;
}

test("resolve kernel equals JS byte for byte on the ICT region: whole frame and row bands", async () => {
  const mesh = await ictTriangleMesh();
  for (const S of [160, 77]) {
    const ref = rasterize(mesh, camera, S, S);
    const arena = new WasmArena();
    const clip = inArena(arena, "clip", ref.clip), tris = inArena(arena, "tris", mesh.triangles);
    const scr = screenCoords(clip, S, S, arena.f64("scr", (clip.length / 4) * 3));
    const ids = arena.i32("ids", S * S), depth = arena.f32("depth", S * S), bary = arena.f32("bary", S * S * 2);
    const before = wasmClipCalls().resolve;
    for (const [y0, y1] of [[0, 31], [31, S - 5], [S - 5, S]] as const) rasterizeRows(clip, scr, tris, S, y0, y1, ids, depth, bary);
    assert.equal(wasmClipCalls().resolve, before + 3, "the kernel did not run");
    assert.ok(bytes(ids).equals(bytes(ref.triangleId)), `${S}²: ids differ`);
    assert.ok(bytes(bary).equals(bytes(ref.bary)), `${S}²: barycentrics differ`);
    assert.ok(ref.triangleId.some((id) => id !== 0));
  }
});

test("barycentrics → clip adjoint kernel equals JS byte for byte on the ICT region, onto existing sums", async () => {
  const mesh = await ictTriangleMesh();
  const S = 160;
  const ref = rasterize(mesh, camera, S, S);
  const rng = new Rng(7);
  const gradBary = Float32Array.from(rng.normals(S * S * 2));
  for (let i = 0; i < gradBary.length; i += 13) gradBary[i] = 0; // one zero component
  for (let i = 0; i < gradBary.length; i += 2 * 17) gradBary.fill(0, i, i + 2); // both zero: skipped
  const gClip0 = Float64Array.from(rng.normals(ref.clip.length));
  for (const [y0, y1] of [[0, S], [40, 97]] as const) {
    const js = gClip0.slice();
    rasterizeBackwardClip(ref.triangleId, S, ref.clip, mesh.triangles, gradBary, js, y0, y1);
    const arena = new WasmArena();
    const w = inArena(arena, "gClip", gClip0);
    const before = wasmClipCalls().backward;
    rasterizeBackwardClip(inArena(arena, "ids", ref.triangleId), S, inArena(arena, "clip", ref.clip), inArena(arena, "tris", mesh.triangles), inArena(arena, "gb", gradBary), w, y0, y1);
    assert.equal(wasmClipCalls().backward, before + 1, "the kernel did not run");
    assert.ok(bytes(w).equals(bytes(js)), `rows ${y0}…${y1}: dL/dclip differs`);
    assert.ok(!bytes(js).equals(bytes(gClip0)));
  }
});

test("clip adjoint kernel equals JS on made-up ids: degenerate triangles, a repeated vertex, a vertex on the camera plane", () => {
  // Vertices in clip space directly: triangles 0, 4 and 5 are one proper triangle in three
  // orders, triangle 1 repeats a vertex, 2 is one point, 3 has w = 0 and an infinite x.
  const clip = Float64Array.from([0, 0, 0.5, 1, 1, 0, 0.5, 2, 0, 1, 0.2, 1.5, -1, 0.5, 0, 0, Infinity, 0.1, 0.3, 1, 0.3, -0.2, 0.1, 0.9]);
  const tris = Uint32Array.from([0, 1, 2, 3, 3, 4, 5, 5, 5, 3, 4, 5, 2, 1, 0, 0, 2, 1]);
  const W = 9, H = 7, rng = new Rng(3);
  const ids = Int32Array.from({ length: W * H }, (_, i) => (i % 5 === 0 ? 0 : 1 + (i % 6)));
  const gradBary = Float32Array.from(rng.normals(W * H * 2));
  const same = (a: Float64Array | Float32Array, b: Float64Array | Float32Array) => a.every((v, i) => Object.is(v, b[i]) || (Number.isNaN(v) && Number.isNaN(b[i]!)));
  const arena = new WasmArena();
  // (resolve runs on coverage's ids only; the adjoint shares its set-up code and takes any ids.)
  const js = new Float64Array(clip.length);
  rasterizeBackwardClip(ids, W, clip, tris, gradBary, js, 0, H);
  const w = arena.f64("gClip", clip.length);
  const before = wasmClipCalls().backward;
  rasterizeBackwardClip(inArena(arena, "ids", ids), W, inArena(arena, "clip", clip), inArena(arena, "tris", tris), inArena(arena, "gb", gradBary), w, 0, H);
  assert.equal(wasmClipCalls().backward, before + 1);
  assert.ok(js.some((v) => Number.isNaN(v)) && js.some((v) => Number.isFinite(v) && v !== 0), "the case should mix finite and NaN sums");
  assert.ok(same(w, js), `dL/dclip differs: ${w} vs ${js}`);
});

test("ParallelRenderer (arena, 1 band) gives renderBackward's position bytes with both clip kernels running", async () => {
  const mesh = await ictRegionMesh();
  const S = 96;
  const opts: RenderOptions = { camera, width: S, height: S, light: directionalLight(30, 25), texture: { data: smoothTexture(48, 48, 3), width: 48, height: 48, channels: 3 } };
  const grad = Float32Array.from(new Rng(5).normals(S * S * 3));
  const refResult = render(mesh, opts);
  const ref = renderBackward(refResult, grad);
  const r = new ParallelRenderer([], { bands: 1 });
  assert.ok(r.simd);
  const before = wasmClipCalls();
  const result = await r.render(mesh, opts);
  assert.ok(bytes(result.raster.bary).equals(bytes(refResult.raster.bary)), "barycentrics differ");
  const got = await r.renderBackward(result, grad);
  const after = wasmClipCalls();
  assert.ok(after.resolve > before.resolve, "the resolve kernel did not run");
  assert.ok(after.backward > before.backward, "the adjoint kernel did not run");
  assert.ok(bytes(ref.positions!).equals(bytes(got.positions!)), "positions differ");
});
