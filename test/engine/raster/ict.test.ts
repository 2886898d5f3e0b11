// Adjoint checks on the real mesh: the 28068-triangle ICT region (seam-split, so gradients
// are scattered back onto the 14062 model vertices), random probes; position probes whose
// perturbation changes coverage (silhouettes, triangle edges) are skipped and retried.
import { test } from "node:test";
import assert from "node:assert/strict";
import { gradcheck, describe } from "../../helpers/gradcheck.js";
import { affineNormalMap, affineTexture } from "../../helpers/meshes.js";
import { ictRegionMesh } from "../../helpers/ict.js";
import { orbitCamera, directionalLight } from "../../../src/engine/raster/camera.js";
import { render, renderBackward, type RenderMesh, type RenderOptions } from "../../../src/engine/raster/render.js";
import { vertexNormals, vertexTangents } from "../../../src/engine/face/normals.js";
import { gatherSplit } from "../../../src/engine/face/seam.js";

const S = 96;
const camera = orbitCamera({ azimuth: -25, elevation: 5 });
const light = directionalLight(30, 25);

test("ICT region at 96²: texture, normal map and vertex-position adjoints match finite differences", async () => {
  const base = await ictRegionMesh();
  // Hold the tangent frame fixed so finite differences see the same constant the adjoint does.
  const split = gatherSplit(base.positions, base.source!, 3);
  const n = gatherSplit(vertexNormals(base.positions, base.triangles.map((v) => base.source![v]!)), base.source!, 3);
  const tangents = vertexTangents(split, n, base.uv!, base.triangles);
  const mesh = (x: Record<string, Float32Array>): RenderMesh => ({ ...base, positions: x.positions!, tangents });
  const opts = (x: Record<string, Float32Array>): RenderOptions => ({ camera, width: S, height: S, light, texture: { data: x.texture!, width: 32, height: 32, channels: 3 }, normalMap: { data: x.normalMap!, width: 32, height: 32 } });
  const r = gradcheck(
    (x) => { const o = render(mesh(x), opts(x)); return { out: o.image, key: o.raster.triangleId }; },
    (x, g) => ({ ...renderBackward(render(mesh(x), opts(x)), g) }),
    { texture: affineTexture(32, 32, 3), normalMap: affineNormalMap(32, 32), positions: base.positions.slice() },
    { eps: { texture: 1e-2, normalMap: 1e-2, positions: [3e-3, 1e-3, 3e-4] }, probes: 10 },
  );
  assert.ok(r.probes.filter((p) => p.input === "positions").length >= 8, `too few position probes: ${describe(r)}`);
  assert.ok(r.ok, describe(r));
});

test("ICT region: 4-channel latent texture adjoint (unlit, 64²)", async () => {
  const base = await ictRegionMesh();
  const opts = (t: Float32Array): RenderOptions => ({ camera, width: 64, height: 64, texture: { data: t, width: 16, height: 16, channels: 4 } });
  const r = gradcheck(
    ({ texture }) => ({ out: render(base, opts(texture!)).image }),
    ({ texture }, g) => ({ texture: renderBackward(render(base, opts(texture!)), g, ["texture"]).texture }),
    { texture: affineTexture(16, 16, 4) },
    { eps: 1e-2, probes: 16 },
  );
  assert.ok(r.ok, describe(r));
});
