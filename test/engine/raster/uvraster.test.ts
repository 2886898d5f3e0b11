import { test } from "node:test";
import assert from "node:assert/strict";
import { gradcheck, describe } from "../../helpers/gradcheck.js";
import { bumpyGrid, smoothTexture } from "../../helpers/meshes.js";
import { ictRegionMesh } from "../../helpers/ict.js";
import { dilate, rasterizeUV, sampleToVertices, sampleToVerticesBackward, uvMap, uvMapBackward } from "../../../src/engine/raster/uvraster.js";
import { gatherSplit } from "../../../src/engine/face/seam.js";

test("uvMap: a grid's positions baked into UV space are the affine map of the texel centres", () => {
  const grid = bumpyGrid(6);
  const size = 64;
  const { map, mask } = uvMap(grid, grid.positions, 3, size);
  let covered = 0;
  for (let j = 0; j < size; j++)
    for (let i = 0; i < size; i++) {
      const t = j * size + i;
      const u = (i + 0.5) / size, v = 1 - (j + 0.5) / size;
      const inside = u > 0.1 && u < 0.9 && v > 0.1 && v < 0.9;
      if (!mask[t]) { assert.ok(!(u > 0.11 && u < 0.89 && v > 0.11 && v < 0.89), `hole at ${i},${j}`); continue; }
      assert.ok(inside || Math.min(Math.abs(u - 0.1), Math.abs(u - 0.9), Math.abs(v - 0.1), Math.abs(v - 0.9)) < 1 / size);
      assert.ok(Math.abs(map[3 * t]! - ((u - 0.1) / 0.4 - 1)) < 1e-4);
      assert.ok(Math.abs(map[3 * t + 1]! - ((v - 0.1) / 0.4 - 1)) < 1e-4);
      covered++;
    }
  assert.ok(Math.abs(covered / (size * size) - 0.64) < 0.03);
});

test("uvMap / sampleToVertices adjoints", () => {
  const grid = bumpyGrid(4);
  const raster = rasterizeUV(grid, 32);
  const attr = smoothTexture(25, 1, 2);
  const a = gradcheck(
    ({ attr }) => ({ out: uvMap(grid, attr!, 2, 32, raster).map }),
    ({ attr }, g) => ({ attr: uvMapBackward(grid, raster, attr!, 2, g) }),
    { attr },
    { eps: 1e-2 },
  );
  assert.ok(a.ok, describe(a));
  const b = gradcheck(
    ({ map }) => ({ out: sampleToVertices(map!, 16, 3, grid.uv) }),
    ({ map }, g) => ({ map: sampleToVerticesBackward(map!, 16, 3, grid.uv, g) }),
    { map: smoothTexture(16, 16, 3) },
    { eps: 1e-2 },
  );
  assert.ok(b.ok, describe(b));
});

test("ICT region: 256² position maps of both UV tiles, dilated, give the vertices back", async () => {
  const mesh = await ictRegionMesh();
  const split = gatherSplit(mesh.positions, mesh.source!, 3);
  const size = 256;
  const errs: number[] = [];
  // ICT's UVs span two tiles: the face in [0, 1]², head, neck and sockets in [1, 2]×[0, 1].
  for (const rect of [[0, 0, 1, 1], [1, 0, 2, 1]] as const) {
    const raster = rasterizeUV({ uv: mesh.uv!, triangles: mesh.triangles }, size, rect);
    const { map, mask } = uvMap({ uv: mesh.uv!, triangles: mesh.triangles }, split, 3, size, raster);
    const coverage = mask.reduce((s, m) => s + m, 0) / mask.length;
    assert.ok(coverage > 0.2, `coverage ${coverage}`);
    const d = dilate(map, mask, size, 3, 2);
    const back = sampleToVertices(d.map, size, 3, mesh.uv!, rect);
    for (let s = 0; s < split.length / 3; s++) {
      const u = mesh.uv![2 * s]!;
      if (u < rect[0] || u >= rect[2]) continue;
      errs.push(Math.hypot(back[3 * s]! - split[3 * s]!, back[3 * s + 1]! - split[3 * s + 1]!, back[3 * s + 2]! - split[3 * s + 2]!));
    }
  }
  assert.equal(errs.length, split.length / 3);
  errs.sort((x, y) => x - y);
  const q = (f: number) => errs[Math.floor(errs.length * f)]!;
  // cm; the head is ~30 cm across and a texel spans about a millimetre of it.
  assert.ok(q(0.5) < 0.1, `median ${q(0.5)}`);
  assert.ok(q(0.95) < 1.0, `p95 ${q(0.95)}`);
});
