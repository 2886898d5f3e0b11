// reduceBands: each element is the float32 sum of bands 0, 1, …, B−1 in that order, whatever
// the split of [0, 1) among threads and however many bands one pass folds in; and the
// footprints that let the reduction skip the texel tiles a band never taps.
import { test } from "node:test";
import assert from "node:assert/strict";
import { FOOTPRINT_TILE, REDUCE_KEYS, atlasTiles, coverEdges, everyBuffer, markFootprint, newAcc, reduceBands } from "../../../src/engine/raster/bands.js";
import { reducePlans } from "../../../src/engine/raster/parallel.js";
import { render } from "../../../src/engine/raster/render.js";
import { triangleRows } from "../../../src/engine/raster/rasterize.js";
import { orbitCamera } from "../../../src/engine/raster/camera.js";
import { seamSplit } from "../../../src/engine/face/seam.js";
import { loadFaceModel } from "../../../data-loaders/face/load.js";
import { Rng } from "../../../src/engine/util/rng.js";

test("reduceBands = in-order float32 (float64 for clip) sums, for 2–7 bands and any split", () => {
  const shape = { texture: 1001, normalMap: 0, vertexNormals: 37, bitangents: 37, clip: 44 };
  for (let B = 2; B <= 7; B++) {
    const rng = new Rng(B);
    const accs = Array.from({ length: B }, () => newAcc(shape));
    for (const a of accs) for (const x of [a.texture!, a.vertexNormals!, a.bitangents!, a.clip!]) for (let i = 0; i < x.length; i++) x[i] = rng.normal() * 10 ** Math.round(rng.uniform() * 8 - 4);
    const expect = {
      texture: new Float32Array(accs[0]!.texture!), vertexNormals: new Float32Array(accs[0]!.vertexNormals!),
      bitangents: new Float32Array(accs[0]!.bitangents!), clip: new Float64Array(accs[0]!.clip!),
    };
    for (let b = 1; b < B; b++) for (const k of ["texture", "vertexNormals", "bitangents", "clip"] as const) {
      const e = expect[k], a = accs[b]![k]!;
      for (let i = 0; i < e.length; i++) e[i] += a[i]!;
    }
    // Split unevenly and per buffer, as the ParallelRenderer does when one worker takes the normals.
    reduceBands(accs, { ...everyBuffer(0, 0.3), vertexNormals: [0, 1] });
    reduceBands(accs, { ...everyBuffer(0.3, 1), vertexNormals: undefined });
    for (const k of ["texture", "vertexNormals", "bitangents", "clip"] as const) assert.deepEqual(accs[0]![k], expect[k], `${k}, ${B} bands`);
  }
});

test("reducePlans: every buffer's [0, 1) is split among the threads exactly once; with a thread aside, it alone has the normals", () => {
  for (let T = 1; T <= 5; T++) for (const aside of [false, true]) {
    const plans = reducePlans(T, aside);
    assert.equal(plans.length, T);
    for (const key of REDUCE_KEYS) {
      const spans = plans.map((p) => p[key]).filter((r) => r !== undefined).map((r) => [r![0], r![1]]).sort((a, b) => a[0]! - b[0]!);
      assert.equal(spans[0]![0], 0, `${key}, T=${T}: starts at 0`);
      assert.equal(spans.at(-1)![1], 1, `${key}, T=${T}: ends at 1`);
      for (let i = 1; i < spans.length; i++) assert.equal(spans[i]![0], spans[i - 1]![1], `${key}, T=${T}: a gap or overlap`);
    }
    if (aside && T > 1) {
      assert.deepEqual(plans[1]!.vertexNormals, [0, 1]);
      assert.deepEqual(plans[1]!.bitangents, [0, 1]);
      assert.equal(plans[1]!.clip, undefined, "the normals thread leaves the clip gradients to the others");
    }
  }
});

test("markFootprint covers every texel a band's pixels tap (atlas and tile uv, three views, texture and normal map of other sizes)", async () => {
  const model = await loadFaceModel();
  const split = seamSplit(model, "dreamface");
  const positions = model.neutral.slice(0, model.regions.dreamface.vertexCount * 3);
  const atlases = [{ w: 512, h: 512, C: 3 }, { w: 200, h: 136, C: 3 }] as const; // texture, normal map (not multiples of the tile)
  let checked = 0;
  for (const uv of [split.uv, split.tileUv]) for (const azimuth of [0, 35, -60]) {
    const r = render({ positions, triangles: split.triangles, uv, source: split.source }, { camera: orbitCamera({ azimuth }), width: 256, height: 256, texture: { data: new Float32Array(8 * 8 * 3), width: 8, height: 8, channels: 3 } });
    const f = r.saved.frame;
    const triRows = triangleRows(f.scr, split.triangles, 256);
    const edges = coverEdges(f.rows, 4);
    const tiles = atlases.map((a) => atlasTiles({ width: a.w, height: a.h, channels: a.C }));
    const fp = new Int32Array(tiles[0]! + tiles[1]!);
    let texTiles = 0;
    for (let b = 0; b < 4; b++) {
      const y0 = edges[b]!, y1 = edges[b + 1]!;
      markFootprint(fp, triRows, split.triangles, uv, y0, y1, { width: 512, height: 512, channels: 3, repeat: false }, { width: 200, height: 136, channels: 3, repeat: false });
      let marked = 0;
      for (const x of fp) marked += x;
      for (let i = 0; i < tiles[0]!; i++) texTiles += fp[i]!;
      assert.ok(marked < fp.length, "a band of a face marks only part of the atlases");
      for (let p = y0 * 256; p < y1 * 256; p++) {
        if (!r.mask[p]) continue;
        const u = f.out.uvImg![2 * p]!, v = f.out.uvImg![2 * p + 1]!;
        for (const [k, a] of atlases.entries()) {
          // sampleTexture's taps (clamped).
          const fx = Math.floor(u * a.w - 0.5), fy = Math.floor((1 - v) * a.h - 0.5);
          const at = k === 0 ? 0 : tiles[0]!, tilesX = Math.ceil(a.w / FOOTPRINT_TILE);
          for (const x of [fx, fx + 1]) for (const y of [fy, fy + 1]) {
            const cx = Math.min(a.w - 1, Math.max(0, x)), cy = Math.min(a.h - 1, Math.max(0, y));
            const tile = at + Math.floor(cy / FOOTPRINT_TILE) * tilesX + Math.floor(cx / FOOTPRINT_TILE);
            assert.equal(fp[tile], 1, `band ${b}, pixel ${p}: texel (${cx}, ${cy}) of atlas ${k} lies outside the footprint`);
            checked++;
          }
        }
      }
    }
    // What the tiles buy (README): four bands' footprints cover ~1.3 atlases of the ICT face, where their texel-row ranges covered ~2.5.
    if (uv === split.uv) assert.ok(texTiles / tiles[0]! < 1.6, `azimuth ${azimuth}: the bands' footprints cover ${(texTiles / tiles[0]!).toFixed(2)} atlases`);
  }
  assert.ok(checked > 100_000, `checked ${checked} taps`);
});

test("markFootprint marks every tile without row bins, for repeat wrapping and for a non-finite uv", () => {
  const tris = Uint32Array.of(0, 1, 2), uv = Float32Array.of(0.1, 0.1, 0.2, 0.1, 0.1, 0.2);
  const tex = { width: 64, height: 64, channels: 3, repeat: false };
  const fp = new Int32Array(atlasTiles(tex));
  const count = () => fp.reduce((s, x) => s + x, 0);
  markFootprint(fp, Int32Array.of(0, 10), tris, uv, 0, 16, tex, null);
  assert.equal(count(), 1, "a small triangle marks one tile");
  markFootprint(fp, null, tris, uv, 0, 16, tex, null);
  assert.equal(count(), 4);
  markFootprint(fp, Int32Array.of(0, 10), tris, uv, 0, 16, { ...tex, repeat: true }, null);
  assert.equal(count(), 4);
  markFootprint(fp, Int32Array.of(0, 10), tris, Float32Array.of(0.1, NaN, 0.2, 0.1, 0.1, 0.2), 0, 16, tex, null);
  assert.equal(count(), 4);
  markFootprint(fp, Int32Array.of(20, 30), tris, uv, 0, 16, tex, null);
  assert.equal(count(), 0, "a triangle outside the band's rows marks nothing");
  // An atlas wider than 256 tiles (8192 texels) cannot pack its boxes: every tile.
  const wide = { width: 9000, height: 32, channels: 3, repeat: false };
  const fpWide = new Int32Array(atlasTiles(wide));
  markFootprint(fpWide, Int32Array.of(0, 10), tris, uv, 0, 16, wide, null);
  assert.equal(fpWide.reduce((s, x) => s + x, 0), fpWide.length);
});
