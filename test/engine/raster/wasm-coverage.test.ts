// The coverage kernel (wasm/coverage-kernel.ts) against rasterize.ts's JS coverage pass, byte for
// byte (ids and depth): the ICT region at several sizes and views, whole frames and row bands
// with and without the per-triangle row bins; random clip-space triangles with vertices behind
// the camera, past the far plane, NaN and huge coordinates, degenerate and overlapping ones;
// and through the ParallelRenderer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rasterize, rasterizeRows, screenCoords, toClip, triangleRows } from "../../../src/engine/raster/rasterize.js";
import { WasmArena } from "../../../src/engine/raster/wasm/arena.js";
import { wasmCoverageCalls } from "../../../src/engine/raster/wasm/coverage-kernel.js";
import { ictRegionMesh } from "../../helpers/ict.js";
import { orbitCamera } from "../../../src/engine/raster/camera.js";
import { render, type RenderOptions } from "../../../src/engine/raster/render.js";
import { ParallelRenderer } from "../../../src/engine/raster/parallel.js";
import { Rng } from "../../../src/engine/util/rng.js";

const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** rasterizeRows over `bands` with plain arrays (JS) and with arena arrays (the kernels); both frames' bytes. */
function both(clip: Float64Array, tris: Uint32Array, W: number, H: number, bands: number[], binned: boolean) {
  const run = (arena: WasmArena | null) => {
    const f64 = (name: string, n: number) => (arena ? arena.f64(name, n) : new Float64Array(n));
    const c = f64("clip", clip.length);
    c.set(clip);
    const t = arena ? arena.u32("tris", tris.length) : new Uint32Array(tris.length);
    t.set(tris);
    const scr = screenCoords(c, W, H, f64("scr", (clip.length / 4) * 3));
    const rows = binned ? triangleRows(scr, t, H, arena ? arena.i32("rows", (tris.length / 3) * 2) : undefined) : null;
    const ids = arena ? arena.i32("ids", W * H) : new Int32Array(W * H);
    const depth = arena ? arena.f32("depth", W * H) : new Float32Array(W * H);
    const bary = arena ? arena.f32("bary", W * H * 2) : new Float32Array(W * H * 2);
    for (let b = 0; b + 1 < bands.length; b++) rasterizeRows(c, scr, t, W, bands[b]!, bands[b + 1]!, ids, depth, bary, rows);
    return { ids, depth, bary };
  };
  const js = run(null);
  const before = wasmCoverageCalls();
  const w = run(new WasmArena());
  assert.equal(wasmCoverageCalls(), before + bands.length - 1, "the kernel did not run");
  return { js, w };
}

test("coverage kernel equals JS byte for byte on the ICT region: sizes, views, bands, row bins", async () => {
  const m = await ictRegionMesh();
  const tris = Uint32Array.from(m.triangles, (v) => m.source![v]!);
  for (const [S, azimuth] of [[160, 20], [93, -35], [512, 0]] as const) {
    const cam = orbitCamera({ azimuth });
    const clip = toClip(m.positions, cam.viewProjection);
    for (const binned of [false, true]) {
      const bands = S === 512 ? [0, 128, 300, 512] : [0, 17, Math.floor(S / 2), S];
      const { js, w } = both(clip, tris, S, S, bands, binned);
      assert.ok(bytes(w.ids).equals(bytes(js.ids)), `${S}², azimuth ${azimuth}: ids differ`);
      assert.ok(bytes(w.depth).equals(bytes(js.depth)), `${S}²: depth differs`);
      assert.ok(bytes(w.bary).equals(bytes(js.bary)), `${S}²: barycentrics differ`);
      assert.ok(js.ids.some((id) => id !== 0));
    }
  }
  // And the same as rasterize() itself.
  const cam = orbitCamera({ azimuth: 20 });
  const ref = rasterize({ positions: m.positions, triangles: tris }, cam, 160, 160);
  const { w } = both(ref.clip, tris, 160, 160, [0, 160], false);
  assert.ok(bytes(w.ids).equals(bytes(ref.triangleId)) && bytes(w.depth).equals(bytes(ref.depth)));
});

test("coverage kernel equals JS on random clip-space triangles: behind the camera, past the far plane, NaN, huge, degenerate", () => {
  const rng = new Rng(11);
  const V = 300, T = 400, W = 61, H = 47;
  const clip = new Float64Array(V * 4);
  for (let v = 0; v < V; v++) {
    const w = 0.5 + rng.uniform() * 2;
    clip[4 * v] = (rng.uniform() * 2.4 - 1.2) * w;
    clip[4 * v + 1] = (rng.uniform() * 2.4 - 1.2) * w;
    clip[4 * v + 2] = (rng.uniform() * 2.2 - 1.1) * w; // some outside [−1, 1]
    clip[4 * v + 3] = w;
  }
  clip[4 * 5 + 3] = -1; // behind the camera
  clip[4 * 6 + 3] = 0; // on the camera plane
  clip[4 * 7] = NaN;
  clip[4 * 8 + 1] = NaN;
  clip[4 * 9] = 1e12; // huge
  clip[4 * 10 + 2] = 5 * clip[4 * 10 + 3]!; // far
  clip[4 * 11 + 2] = 5 * clip[4 * 11 + 3]!;
  clip[4 * 12 + 2] = 5 * clip[4 * 12 + 3]!;
  clip.copyWithin(4 * 13, 4 * 14, 4 * 15); // 13 = 14: degenerate triangles below
  const tris = new Uint32Array(T * 3);
  for (let i = 0; i < tris.length; i++) tris[i] = Math.floor(rng.uniform() * V);
  tris.set([5, 1, 2, 6, 3, 4, 7, 1, 2, 8, 3, 4, 9, 1, 2, 10, 11, 12, 13, 14, 20, 15, 15, 16, 17, 17, 17, 0, 1, 2, 2, 1, 0], 0);
  for (const binned of [false, true]) {
    for (const bands of [[0, H], [0, 9, 10, 30, H]]) {
      const { js, w } = both(clip, tris, W, H, bands, binned);
      assert.ok(bytes(w.ids).equals(bytes(js.ids)), `bands ${bands}, ${binned ? "binned" : "unbinned"}: ids differ`);
      assert.ok(bytes(w.depth).equals(bytes(js.depth)), `bands ${bands}: depth differs`);
      assert.ok(js.ids.filter((id) => id !== 0).length > W * H * 0.5, "the case should cover most pixels");
    }
  }
});

test("ParallelRenderer (arena, 1 and 3 bands) gives render()'s raster bytes with the coverage kernel running", async () => {
  const mesh = await ictRegionMesh();
  const S = 96;
  const opts: RenderOptions = { camera: orbitCamera({ azimuth: 20 }), width: S, height: S, albedo: [0.5, 0.5, 0.5] };
  const ref = render(mesh, opts);
  for (const bands of [1, 3]) {
    const r = new ParallelRenderer([], { bands });
    const before = wasmCoverageCalls();
    const got = await r.render(mesh, opts);
    assert.ok(wasmCoverageCalls() >= before + bands, `${bands} bands: the kernel did not run`);
    for (const k of ["triangleId", "depth", "bary"] as const) assert.ok(bytes(got.raster[k]).equals(bytes(ref.raster[k])), `${bands} bands: ${k} differs`);
    assert.ok(bytes(got.image).equals(bytes(ref.image)));
  }
});
