import { test } from "node:test";
import assert from "node:assert/strict";
import { createNodeBackend } from "../../../../data-loaders/models/backend-node.js";
import { pbrMaps, type MapKind } from "../../../../src/engine/stages/texture/pbr.js";
import { Rng } from "../../../../src/engine/util/rng.js";

const backend = await createNodeBackend({ profile: "tiny" });
const z = new Rng(6).normals(4 * 4 * 4); // 4² latent → 32² decoded maps

async function collect(b: typeof backend, size: number, detail?: { data: Float32Array; size: number }) {
  const maps = new Map<MapKind, Float32Array>();
  const report = await pbrMaps(b, z, { size, resampler: "lanczos3", normalBlend: "rnm", detailNormalMap: detail }, (kind, data, s) => {
    assert.equal(data.length, s * s * 3);
    maps.set(kind, data.slice());
  });
  return { maps, report };
}

test("pbrMaps: three maps at the requested size in [0, 1], SR model used ×4 when installed", async () => {
  const { maps, report } = await collect(backend, 128);
  assert.deepEqual([...maps.keys()], ["diffuse", "specular", "normal"]);
  for (const m of maps.values()) assert.ok(m.every((v) => v >= 0 && v <= 1));
  assert.equal(report.decodedSize, 32);
  assert.match(report.upscaling, /^upscale model ×4 from 32²$/);
  // Every normal is unit length after the blend.
  const n = maps.get("normal")!;
  for (let i = 0; i < n.length; i += 3 * 97) assert.ok(Math.abs(Math.hypot(n[i]! * 2 - 1, n[i + 1]! * 2 - 1, n[i + 2]! * 2 - 1) - 1) < 1e-3);
});

test("pbrMaps: without an upscale model the classical resampler is used and says so; N_d changes the normal map", async () => {
  const noSr = { ...backend, session: (role: string) => (role === "upscale" ? Promise.reject(new Error("no upscale model")) : backend.session(role)) };
  const flat = await collect(noSr as typeof backend, 64);
  assert.equal(flat.report.upscaling, "classical resampler (lanczos3), no SR model");
  const data = new Float32Array(8 * 8 * 3);
  for (let i = 0; i < data.length; i += 3) data.set([0.3, -0.2, Math.sqrt(1 - 0.13)], i);
  const tilted = await collect(noSr as typeof backend, 64, { data, size: 8 });
  assert.deepEqual(Array.from(tilted.maps.get("diffuse")!), Array.from(flat.maps.get("diffuse")!));
  assert.notDeepEqual(Array.from(tilted.maps.get("normal")!), Array.from(flat.maps.get("normal")!));
  const small = await collect(noSr as typeof backend, 16);
  assert.match(small.report.upscaling, /no upscaling needed/);
});
