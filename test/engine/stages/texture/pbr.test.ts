import { test } from "node:test";
import assert from "node:assert/strict";
import { createNodeBackend } from "../../../../data-loaders/models/backend-node.js";
import { pbrMaps, pbrPlan, type MapKind, type PbrPlan } from "../../../../src/engine/stages/texture/pbr.js";
import { capabilityTable, SPECULAR_PRIOR_SUBSTITUTE } from "../../../../src/engine/models/capabilities.js";
import { Rng } from "../../../../src/engine/util/rng.js";
import { splitTiles } from "../../../../src/engine/face/atlas.js";

const backend = await createNodeBackend({ profile: "tiny" });
const z = new Rng(6).normals(4 * 4 * 4); // 4² latent → 32² decoded maps
const ALL: PbrPlan = { specular: { source: "decoder" }, normal: "decoder", restore: true, upscale: true };

async function collect(b: typeof backend, size: number, detail?: { data: Float32Array; size: number }, plan: PbrPlan = ALL) {
  const maps = new Map<MapKind, Float32Array>();
  const detailNormalMap = detail && { data: detail.data, width: detail.size, height: detail.size };
  const report = await pbrMaps(b, z, { size, resampler: "lanczos3", normalBlend: "rnm", detailNormalMap, plan }, (kind, data, w, h) => {
    assert.equal(w, size);
    assert.equal(h, size);
    assert.equal(data.length, w * h * 3);
    maps.set(kind, data.slice());
  });
  return { maps, report };
}

const unitLength = (n: Float32Array) => {
  for (let i = 0; i < n.length; i += 3 * 97) assert.ok(Math.abs(Math.hypot(n[i]! * 2 - 1, n[i + 1]! * 2 - 1, n[i + 2]! * 2 - 1) - 1) < 1e-3);
};

test("pbrMaps: three maps at the requested size in [0, 1], SR model used ×4 when installed", async () => {
  const { maps, report } = await collect(backend, 128);
  assert.deepEqual([...maps.keys()], ["diffuse", "specular", "normal"]);
  for (const m of maps.values()) assert.ok(m.every((v) => v >= 0 && v <= 1));
  assert.equal(report.decodedSize, 32);
  assert.match(report.upscaling, /^upscale model ×4 from 32²$/);
  assert.equal(report.specular, "specular_decoder");
  assert.deepEqual(report.substitutes, []);
  // Every normal is unit length after the blend.
  unitLength(maps.get("normal")!);
});

test("pbrMaps: without an upscale model the classical resampler is used and says so; N_d changes the normal map", async () => {
  const noSr: PbrPlan = { ...ALL, upscale: false };
  const flat = await collect(backend, 64, undefined, noSr);
  assert.equal(flat.report.upscaling, "classical resampler (lanczos3), no SR model");
  const data = new Float32Array(8 * 8 * 3);
  for (let i = 0; i < data.length; i += 3) data.set([0.3, -0.2, Math.sqrt(1 - 0.13)], i);
  const tilted = await collect(backend, 64, { data, size: 8 }, noSr);
  assert.deepEqual(Array.from(tilted.maps.get("diffuse")!), Array.from(flat.maps.get("diffuse")!));
  assert.notDeepEqual(Array.from(tilted.maps.get("normal")!), Array.from(flat.maps.get("normal")!));
  const small = await collect(backend, 16, undefined, noSr);
  assert.match(small.report.upscaling, /no upscaling needed/);
});

test("pbrMaps without specular/normal/restore/upscale models: maps from the substitutes, each labelled, no private role opened", async () => {
  // The public-weights case: the private decoders are absent, so opening them must not even be tried.
  const opened: string[] = [];
  const publicOnly = {
    ...backend,
    session: (role: string) => (opened.push(role), ["specular_decoder", "normal_decoder", "restore", "upscale"].includes(role) ? Promise.reject(new Error(`model file for role "${role}" not found`)) : backend.session(role)),
  } as typeof backend;
  const states = { text_encoder: "present", unet: "present", vae_encoder: "present", vae_decoder: "present", vae_encoder_vjp: "derived", vae_decoder_vjp: "derived" } as const;
  const table = capabilityTable("sd15", states, ["texture"]);
  // A two-level prior: the left half shiny, the right half dull.
  const prior = new Float32Array(8 * 8 * 3).map((_, i) => ((i / 3) % 8 < 4 ? 0.5 : 0.2));
  const plan = pbrPlan(table, () => ({ data: prior, size: 8 }));
  assert.deepEqual({ ...plan, specular: plan.specular.source }, { specular: "prior", normal: "detail-only", restore: false, upscale: false });
  const data = new Float32Array(8 * 8 * 3);
  for (let i = 0; i < data.length; i += 3) data.set([0.3, -0.2, Math.sqrt(1 - 0.13)], i);
  const { maps, report } = await collect(publicOnly, 64, { data, size: 8 }, plan);
  assert.deepEqual([...maps.keys()], ["diffuse", "specular", "normal"]);
  assert.deepEqual(opened.filter((r) => r !== "vae_decoder"), []);
  for (const m of maps.values()) assert.ok(m.every((v) => v >= 0 && v <= 1));
  // The specular map is the prior, resampled: shiny on the left, dull on the right.
  const spec = maps.get("specular")!;
  assert.ok(Math.abs(spec[(32 * 64 + 4) * 3]! - 0.5) < 0.02 && Math.abs(spec[(32 * 64 + 60) * 3]! - 0.2) < 0.02);
  // The normal map is N_d alone, unit length.
  const n = maps.get("normal")!;
  unitLength(n);
  assert.ok(Math.abs(n[0]! - (0.3 / 2 + 0.5)) < 1e-3 && Math.abs(n[1]! - (-0.2 / 2 + 0.5)) < 1e-3);
  assert.equal(report.specular, SPECULAR_PRIOR_SUBSTITUTE);
  assert.match(report.normalBlend, /^N_d alone \(no normal_decoder\)$/);
  assert.equal(report.restoration, "none (no restore model)");
  assert.equal(report.upscaling, "classical resampler (lanczos3), no SR model");
  assert.deepEqual(report.substitutes.map((s) => s.split(":")[0]), ["specular", "normal", "restoration", "upscaling"]);
});

test("pbrMaps on a two-tile stack: 2:1 atlases whose left tile is the face latent's one-tile map, N_d split per tile", async () => {
  const plan: PbrPlan = { ...ALL, upscale: false };
  const head = new Rng(9).normals(z.length);
  const stack = new Float32Array(2 * z.length);
  stack.set(z);
  stack.set(head, z.length);
  const nd = new Float32Array(8 * 16 * 3);
  for (let p = 0; p < 8 * 16; p++) nd.set(p % 16 < 8 ? [0, 0, 1] : [0.6, 0, 0.8], p * 3);
  const one = new Map<MapKind, Float32Array>(), two = new Map<MapKind, { data: Float32Array; w: number; h: number }>();
  const faceNd = { data: splitTiles(nd, 2, 8, 8, 3)[0]!, width: 8, height: 8 };
  await pbrMaps(backend, z, { size: 32, resampler: "lanczos3", normalBlend: "rnm", detailNormalMap: faceNd, plan }, (k, d) => void one.set(k, d.slice()));
  await pbrMaps(backend, stack, { size: 32, resampler: "lanczos3", normalBlend: "rnm", detailNormalMap: { data: nd, width: 16, height: 8 }, tiles: 2, plan }, (k, d, w, h) => void two.set(k, { data: d.slice(), w, h }));
  for (const kind of ["diffuse", "specular", "normal"] as const) {
    const m = two.get(kind)!;
    assert.deepEqual([m.w, m.h], [64, 32]);
    const [left, right] = splitTiles(m.data, 2, 32, 32, 3);
    assert.deepEqual(left, one.get(kind), `${kind}: the face tile is the one-tile map`);
    assert.notDeepEqual(right, left, `${kind}: the head tile has its own content`);
  }
  await assert.rejects(pbrMaps(backend, stack, { size: 32, resampler: "lanczos3", normalBlend: "rnm", detailNormalMap: { data: nd, width: 8, height: 16 }, tiles: 2, plan }, () => {}), /expected 2 square tiles/);
});
