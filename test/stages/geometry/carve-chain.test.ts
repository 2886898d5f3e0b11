// Finite-difference checks of detail carving's gradient chain on the real ICT region: from a
// cotangent on the rendered image to V_d (gT·n per vertex), N_d (the renderer's normal-map
// adjoint) and β (modesᵀ·gT), through Carver.vjp, the code Carver.next runs. The forward is
// Carver.renderCarved with the frame (displacement directions n(T(β)) and N_d's tangents) held
// at its value at the base point: exactly the constants the backward treats as such (carve.ts
// header). Each group is checked on its own and must yield enough probes, so a group whose
// gradient is dropped or zeroed fails (no non-zero analytic entries → no probes).
import { test } from "node:test";
import assert from "node:assert/strict";
import { gradcheck, describe } from "../../helpers/gradcheck.js";
import { affineNormalMap } from "../../helpers/meshes.js";
import { loadFaceModel } from "../../../data-loaders/face/load.js";
import { seamSplit } from "../../../src/engine/face/seam.js";
import { Carver, type CarveFrame } from "../../../src/engine/stages/geometry/carve.js";
import { parseGeometryConfig } from "../../../src/engine/stages/geometry/config.js";
import type { SdsGuide } from "../../../src/engine/stages/geometry/guide.js";
import { orbitCamera, directionalLight, FACE_TARGET } from "../../../src/engine/raster/camera.js";
import { Rng } from "../../../src/engine/util/rng.js";

const S = 96, M = 32;
const light = directionalLight(30, 25);

async function ictCarver() {
  const model = await loadFaceModel();
  const rng = new Rng(21);
  const betaStar = rng.normals(model.identityModes.length).map((x) => 0.5 * x);
  const config = { ...parseGeometryConfig({ carving: { steps: 1 } }).carving, renderSize: S, normalMapSize: M };
  // The chain never reaches the guide.
  const guide = {} as SdsGuide;
  const c = new Carver({ model, split: seamSplit(model, "dreamface"), betaStar, config, seed: 0, guide });
  // A carved state away from the start: non-zero displacements, a non-flat N_d, β ≠ β*.
  for (let v = 0; v < c.vd.length; v++) c.vd[v] = 0.05 * Math.sin(0.37 * v);
  c.nd.set(affineNormalMap(c.ndWidth, c.ndHeight)); // both UV tiles (face | head and neck)
  for (let k = 0; k < c.beta.length; k++) c.beta[k]! += 0.1 * Math.cos(k);
  return c;
}

function check(c: Carver, camera: ReturnType<typeof orbitCamera>, group: "vd" | "nd" | "beta", eps: readonly number[], opts: { key?: boolean; probes?: number } = {}) {
  const frozen: CarveFrame = c.renderCarved(camera, light, S).frame;
  const target = { vd: c.vd, nd: c.nd, beta: c.beta }[group];
  return gradcheck(
    () => {
      const f = c.renderCarved(camera, light, S, frozen);
      return { out: f.rendered.image, key: opts.key === false ? undefined : f.rendered.raster.triangleId };
    },
    (_x, g) => ({ [group]: c.vjp(c.renderCarved(camera, light, S, frozen), g)[group] }),
    { [group]: target },
    { eps: { [group]: eps }, probes: opts.probes ?? 10, seed: 3 },
  );
}

test("carving chain on the ICT region: dL/dV_d = gT·n matches finite differences", async () => {
  const c = await ictCarver();
  const r = check(c, orbitCamera({ azimuth: -25, elevation: 5 }), "vd", [3e-3, 1e-3, 3e-4]);
  assert.ok(r.probes.length >= 8, `too few V_d probes: ${describe(r)}`);
  assert.ok(r.ok, describe(r));
});

test("carving chain on the ICT region: dL/dN_d matches finite differences", async () => {
  const c = await ictCarver();
  const r = check(c, orbitCamera({ azimuth: -25, elevation: 5 }), "nd", [1e-2]);
  assert.ok(r.probes.length >= 8, `too few N_d probes: ${describe(r)}`);
  assert.ok(r.ok, describe(r));
});

test("carving chain on the ICT region: dL/dβ = modesᵀ·gT matches finite differences", async () => {
  const c = await ictCarver();
  // β moves every vertex, so some pixel always changes triangle; interior edges keep the image
  // continuous, silhouettes and UV seams don't. A close, frontal view of the cheek has neither
  // in frame, so β is probed without the coverage key.
  const target: [number, number, number] = [FACE_TARGET[0] - 4, FACE_TARGET[1] - 2, FACE_TARGET[2]];
  const camera = orbitCamera({ azimuth: 0, elevation: 0, target, distance: 20 });
  const r = check(c, camera, "beta", [1e-2], { key: false, probes: 12 });
  assert.ok(r.probes.length >= 10, `too few β probes: ${describe(r)}`);
  assert.ok(r.ok, describe(r));
});
