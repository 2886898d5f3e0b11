// The parallel renderer (engine bands + worker_threads glue) against the synchronous one on the
// ICT region: one band gives render()/renderBackward()'s bytes; four bands give the same bytes
// on 1, 2 and 3 threads, within float rounding of the one-band gradients.
import { test } from "node:test";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { ictRegionMesh } from "../../helpers/ict.js";
import { affineNormalMap, affineTexture } from "../../helpers/meshes.js";
import { orbitCamera, directionalLight } from "../../../src/engine/raster/camera.js";
import { render, renderBackward, type RenderGrads, type RenderOptions } from "../../../src/engine/raster/render.js";
import { ParallelRenderer } from "../../../src/engine/raster/parallel.js";
import { createNodeRenderer } from "../../../data-loaders/raster/render-workers.js";
import { Rng } from "../../../src/engine/util/rng.js";

const S = 128;
const opts: RenderOptions = {
  camera: orbitCamera({ azimuth: 20 }), width: S, height: S, light: directionalLight(30, 25), specular: { strength: 0.2, shininess: 16 },
  texture: { data: affineTexture(64, 64, 3), width: 64, height: 64, channels: 3 }, normalMap: { data: affineNormalMap(64, 64), width: 64, height: 64 },
  background: [0.1, 0.2, 0.3],
};
const grad = Float32Array.from(new Rng(7).normals(S * S * 3));
const bytes = (a: Float32Array | undefined) => Buffer.from(a!.buffer, a!.byteOffset, a!.byteLength);
function sameBytes(a: RenderGrads, b: RenderGrads, what: string): void {
  for (const k of ["texture", "normalMap", "positions"] as const) assert.ok(bytes(a[k]).equals(bytes(b[k])), `${what}: ${k} differs`);
}

async function run(r: ParallelRenderer, wrt?: ("texture" | "normalMap" | "positions")[]) {
  const mesh = await ictRegionMesh();
  const f = await r.render(mesh, opts);
  const image = f.image.slice();
  const g = await r.renderBackward(f, grad, wrt);
  return { image, g };
}

test("ParallelRenderer with one band equals render/renderBackward byte for byte", async () => {
  const mesh = await ictRegionMesh();
  const ref = render(mesh, opts);
  const refG = renderBackward(ref, grad);
  const two = await createNodeRenderer({ threads: 2, bands: 1 });
  try {
    const { image, g } = await run(two);
    assert.ok(bytes(image).equals(bytes(ref.image)), "image differs");
    sameBytes(g, refG, "1 band");
  } finally {
    await two.close();
  }
});

test("ParallelRenderer with 4 bands: same bytes on 1, 2 and 3 threads; close to one band; forward bytes independent of bands", async () => {
  const mesh = await ictRegionMesh();
  const refG = renderBackward(render(mesh, opts), grad);
  const one = await run(new ParallelRenderer([], { bands: 4 }));
  for (const threads of [2, 3]) {
    const r = await createNodeRenderer({ threads, bands: 4 });
    try {
      const got = await run(r);
      assert.ok(bytes(got.image).equals(bytes(one.image)), `${threads} threads: image differs`);
      sameBytes(got.g, one.g, `${threads} threads`);
      // A second frame balances its forward bands on the first one's coverage: same bytes.
      const again = await run(r);
      assert.ok(bytes(again.image).equals(bytes(one.image)), `${threads} threads, second frame: image differs`);
      sameBytes(again.g, one.g, `${threads} threads, second frame`);
      const tex = await run(r, ["texture"]);
      const texOne = renderBackward(render(mesh, opts), grad, ["texture"]);
      const err = maxRel(tex.g.texture!, texOne.texture!);
      assert.ok(err < 1e-5, `texture-only adjoint vs. one band: ${err}`);
    } finally {
      await r.close();
    }
  }
  assert.ok(bytes(one.image).equals(bytes(render(mesh, opts).image)), "forward pixels must not depend on the banding");
  for (const k of ["texture", "normalMap", "positions"] as const) {
    const err = maxRel(one.g[k]!, refG[k]!);
    assert.ok(err < 1e-4, `${k}: 4 bands vs. 1 band relative error ${err}`);
    assert.ok(one.g[k]!.some((v) => v !== 0), `${k}: gradient is all zero`);
  }
});

test("forward chunks: the image bytes do not depend on the chunks per thread or the threads; the normals a worker computes equal render()'s", async () => {
  const mesh = await ictRegionMesh();
  const ref = render(mesh, opts);
  const refG = renderBackward(ref, grad);
  for (const [threads, chunksPerThread] of [[2, 1], [2, 5], [3, 2]] as const) {
    const r = await createNodeRenderer({ threads, bands: 1, chunksPerThread });
    try {
      for (let frame = 0; frame < 2; frame++) { // the second frame chunks on the first one's coverage
        const got = await run(r);
        assert.ok(bytes(got.image).equals(bytes(ref.image)), `${threads} threads, ${chunksPerThread} chunks per thread, frame ${frame}: image differs`);
        sameBytes(got.g, refG, `${threads} threads, ${chunksPerThread} chunks per thread, frame ${frame}`);
      }
    } finally {
      await r.close();
    }
  }
  assert.throws(() => new ParallelRenderer([], { chunksPerThread: 0 }), /chunksPerThread must be a positive integer/);
});

test("ParallelRenderer refuses a stale result and bad band counts", async () => {
  const mesh = await ictRegionMesh();
  const r = new ParallelRenderer([], { bands: 2 });
  const a = await r.render(mesh, opts);
  await r.render(mesh, opts);
  await assert.rejects(() => r.renderBackward(a, grad), /stale/);
  assert.throws(() => new ParallelRenderer([], { bands: 0 }), /bands must be a positive integer/);
});

function maxRel(a: Float32Array, b: Float32Array): number {
  let scale = 0, err = 0;
  for (let i = 0; i < a.length; i++) { scale = Math.max(scale, Math.abs(b[i]!)); err = Math.max(err, Math.abs(a[i]! - b[i]!)); }
  return err / (scale || 1);
}

test("after the first adjoint, bands zero and reduce only their footprints: frames from moving views, on 1 and 2 threads, equal a fresh renderer's", async () => {
  const mesh = await ictRegionMesh();
  // Views and gradient sets change between frames, so footprints grow, shrink and move.
  const frames: { azimuth: number; wrt: ("texture" | "normalMap" | "positions")[] }[] = [
    { azimuth: 20, wrt: ["texture", "normalMap", "positions"] }, { azimuth: -40, wrt: ["texture", "normalMap", "positions"] },
    { azimuth: 45, wrt: ["texture", "normalMap", "positions"] }, { azimuth: 0, wrt: ["texture"] }, { azimuth: 30, wrt: ["texture"] },
    { azimuth: -10, wrt: ["texture", "normalMap", "positions"] },
  ];
  const frameOpts = (azimuth: number): RenderOptions => ({ ...opts, camera: orbitCamera({ azimuth, elevation: azimuth / 4 }) });
  const expected: RenderGrads[] = [];
  for (const { azimuth, wrt } of frames) {
    const fresh = new ParallelRenderer([], { bands: 4 });
    expected.push(await fresh.renderBackward(await fresh.render(mesh, frameOpts(azimuth)), grad, wrt));
  }
  for (const threads of [1, 2]) {
    const r = threads === 1 ? new ParallelRenderer([], { bands: 4 }) : await createNodeRenderer({ threads, bands: 4 });
    try {
      for (const [i, { azimuth, wrt }] of frames.entries()) {
        const g = await r.renderBackward(await r.render(mesh, frameOpts(azimuth)), grad, wrt);
        for (const k of wrt) assert.ok(bytes(g[k]).equals(bytes(expected[i]![k])), `${threads} thread(s), frame ${i}: ${k} differs`);
      }
    } finally {
      await r.close();
    }
  }
});

test("footprints follow uv edited in place between frames (cached triangle boxes are dropped when the uv changes), on 1 and 2 threads", async () => {
  const base = await ictRegionMesh();
  const uv = base.uv!.slice(); // one array, edited between frames as a caller might
  const mesh = { ...base, uv };
  const shifts = [0, 0.37, 0.37, -0.21];
  const expected: RenderGrads[] = [];
  for (const shift of shifts) {
    const fresh = new ParallelRenderer([], { bands: 4 });
    const moved = { ...base, uv: base.uv!.map((x, i) => (i % 2 === 0 ? x + shift : x)) };
    expected.push(await fresh.renderBackward(await fresh.render(moved, opts), grad, ["texture", "normalMap"]));
  }
  for (const threads of [1, 2]) {
    const r = threads === 1 ? new ParallelRenderer([], { bands: 4 }) : await createNodeRenderer({ threads, bands: 4 });
    try {
      const versions: number[] = [];
      for (const [i, shift] of shifts.entries()) {
        for (let k = 0; k < uv.length; k += 2) uv[k] = base.uv![k]! + shift;
        const f = await r.render(mesh, opts);
        versions.push(f.saved.frame.topology![1]!);
        const g = await r.renderBackward(f, grad, ["texture", "normalMap"]);
        for (const k of ["texture", "normalMap"] as const) assert.ok(bytes(g[k]).equals(bytes(expected[i]![k])), `${threads} thread(s), frame ${i}: ${k} differs`);
      }
      assert.deepEqual(versions.map((v) => v - versions[0]!), [0, 1, 1, 2], "the version counts the uv's changes");
    } finally {
      await r.close();
    }
  }
});

test("workers hold the process only while a message is in flight: a renderer never closed lets it exit", { timeout: 60_000 }, () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(new URL("../../helpers/unclosed-renderer.ts", import.meta.url))], { encoding: "utf8", timeout: 45_000 });
  assert.equal(r.signal, null, "the process hung and was killed");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /rendered [1-9]\d* pixels, gradient nonzero/);
});
