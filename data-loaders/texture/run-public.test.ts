// The texture stage honours the capability table: with only public roles it runs the "w/o
// texture" variant, makes the specular map from the skin prior and the normal map from N_d,
// skips restoration and SR, never opens a private role, and labels all of it in the manifest
// and the asset.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createNodeBackend } from "../models/backend-node.js";
import { meanFaceGeometry } from "./geometry-input.js";
import { runTextureStage } from "./run.js";
import { readPng } from "../io/png.js";
import { UserError } from "../cli/errors.js";
import { capabilityTable, SPECULAR_PRIOR_SUBSTITUTE, type RoleState } from "../../src/engine/models/capabilities.js";
import { tempDir } from "../../test/helpers/tmp.js";

const root = tempDir("dreamface-texture-public-");
const tiny = await createNodeBackend({ profile: "tiny" });
const PRIVATE = ["texture_unet", "texture_domain_tokens", "specular_decoder", "normal_decoder", "restore", "upscale"];
const opened = new Set<string>();
const publicOnly = { ...tiny, session: (role: string) => (opened.add(role), PRIVATE.includes(role) ? Promise.reject(new Error(`model file for role "${role}" not found`)) : tiny.session(role)) } as typeof tiny;
const states: Record<string, RoleState> = { text_encoder: "present", unet: "present", vae_encoder: "present", vae_decoder: "present", vae_encoder_vjp: "derived", vae_decoder_vjp: "derived" };
const capabilities = capabilityTable("tiny", states, ["texture"]);
const geometry = await meanFaceGeometry("a test signal face", "tiny");
const overrides = { latent: { steps: 2 }, image: { steps: 2, renderSize: 64 }, pbr: { size: 128, glbTextureSize: 64 }, checkpointEvery: 2, snapshotEvery: 2 };

test("public roles only: wo-texture variant, prior specular, N_d normal, no restore/SR, all labelled", async () => {
  const r = await runTextureStage({ geometry, out: join(root, "public"), overrides, backend: publicOnly, capabilities, quiet: true });
  assert.ok(r.complete);
  assert.equal(r.config.variant, "wo-texture");
  assert.deepEqual(PRIVATE.filter((role) => opened.has(role)), [], "no private role is even opened");
  const manifest = JSON.parse(readFileSync(join(r.dir, "manifest.json"), "utf8"));
  assert.match(manifest.variantNote, /no texture LDM \(texture_unet, texture_domain_tokens missing\): running the paper's "w\/o texture" variant/);
  assert.equal(manifest.plan.texturePath, false);
  assert.equal(manifest.vaeGradient, "exact VJP graphs derived from the public VAE by autodiff");
  assert.equal(manifest.capabilities.substitutions.length, 5);
  assert.deepEqual(manifest.capabilities.stages, ["texture"]);
  assert.equal(manifest.pbr.specular, SPECULAR_PRIOR_SUBSTITUTE);
  assert.match(manifest.pbr.normalBlend, /^N_d alone/);
  assert.deepEqual(manifest.pbr.substitutes.map((s: string) => s.split(":")[0]), ["specular", "normal", "restoration"]);
  assert.match(manifest.outputs["specular.png"], /skin specular prior/);
  // The specular map is the region prior: several distinct levels, all in [0, 1].
  const spec = readPng(join(r.dir, "specular.png"));
  const levels = new Set(Array.from(spec.data, (v) => Math.round(v * 20)));
  assert.ok(levels.size >= 4, `levels ${[...levels]}`);
  const rows = readFileSync(join(r.dir, "trajectory.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.ok(rows.every((row) => row.loss_tau === undefined && row.loss_g > 0), "the generic path only");
  const glb = readFileSync(join(r.dir, "asset.glb"));
  const json = JSON.parse(new TextDecoder().decode(glb.subarray(20, 20 + glb.readUInt32LE(12))));
  assert.equal(json.asset.extras.substitutes.length, 5);
});

test("asking for exact VAE gradients the profile cannot give is a UserError, before any folder is written", async () => {
  const noVjp = capabilityTable("tiny", { ...states, vae_encoder_vjp: "missing", vae_decoder_vjp: "missing" }, ["texture"]);
  await assert.rejects(
    runTextureStage({ geometry, out: join(root, "exact"), overrides: { ...overrides, vaeGradient: "exact" }, backend: publicOnly, capabilities: noVjp, quiet: true }),
    (e: unknown) => e instanceof UserError && /vaeGradient is "exact" but the tiny profile has no vae_encoder_vjp/.test((e as Error).message),
  );
  assert.ok(!existsSync(join(root, "exact")));
});

test.after(() => tiny.dispose());
