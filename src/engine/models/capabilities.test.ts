import { test } from "node:test";
import assert from "node:assert/strict";
import {
  capabilityTable,
  formatCapabilityTable,
  LINEAR_VJP_SUBSTITUTE,
  PIPELINE_STAGES,
  restrictTable,
  rolesForStages,
  runsExactly,
  SPECULAR_PRIOR_SUBSTITUTE,
  TINY_PROFILE_LABEL,
  type CapabilityStatus,
  type RoleState,
} from "./capabilities.js";

const ALL_ROLES = rolesForStages(PIPELINE_STAGES);
const PUBLIC = ["text_encoder", "unet", "vae_encoder", "vae_decoder", "clip_text", "clip_image"];
const statuses = (t: ReturnType<typeof capabilityTable>) => Object.fromEntries(t.rows.map((r) => [r.id, r.status]));

test("(a) tiny with every role present: every row exact, the table says so and keeps the test-signal label", () => {
  const t = capabilityTable("tiny", Object.fromEntries(ALL_ROLES.map((r) => [r, "present" as RoleState])));
  assert.ok(t.rows.length >= 15);
  assert.ok(t.rows.every((r) => r.status === "exact" && r.missing.length === 0 && r.derived.length === 0));
  assert.deepEqual(t.substitutions, []);
  assert.equal(t.label, TINY_PROFILE_LABEL);
  const text = formatCapabilityTable(t);
  assert.match(text.split("\n")[0]!, /tiny profile .*every role present, every feature exact \[tiny profile — test signal, not a face\]/);
  assert.doesNotMatch(text, /substitute:/);
});

test("(b) sd15 with only the public roles, VAE VJPs derived: exactly these rows are substituted, with these lines", () => {
  const states: Record<string, RoleState> = Object.fromEntries(PUBLIC.map((r) => [r, "present" as RoleState]));
  states.vae_encoder_vjp = "derived";
  states.vae_decoder_vjp = "derived";
  const t = capabilityTable("sd15", states);
  const expected: Record<string, CapabilityStatus> = {
    "geometry.ranking": "exact",
    "geometry.carving": "exact",
    "geometry.carving-vjp": "derived",
    "geometry.hair": "exact",
    "texture.generic": "exact",
    "texture.ldm": "substituted",
    "texture.image-sds": "exact",
    "texture.vae-vjp": "derived",
    "texture.diffuse": "exact",
    "texture.specular": "substituted",
    "texture.normal": "substituted",
    "texture.restore": "substituted",
    "texture.upscale": "substituted",
    "evaluation.clip-score": "exact",
    "evaluation.kid": "unavailable",
    "animation.blendshape": "exact",
    "animation.personalized": "unavailable",
  };
  assert.deepEqual(statuses(t), expected);
  assert.equal(t.label, undefined);
  assert.deepEqual(t.rows.find((r) => r.id === "texture.vae-vjp")!.derived, ["vae_encoder_vjp", "vae_decoder_vjp"]);
  assert.deepEqual(t.rows.find((r) => r.id === "texture.ldm")!.missing, ["texture_unet", "texture_domain_tokens"]);
  assert.deepEqual(t.substitutions, [
    '[texture] texture LDM path (Eq. 11): the paper\'s "w/o texture" variant: latent and image SDS with the generic LDM only',
    `[texture] specular map: ${SPECULAR_PRIOR_SUBSTITUTE}`,
    "[texture] normal map: the carved detail normal map N_d alone (no decoded normal map to blend with)",
    "[texture] diffuse restoration: skipped: the decoded diffuse map is used as is",
    "[texture] super-resolution to 4K: classical Lanczos-3 resampler (no SR model)",
    "[evaluation] KID: unavailable — install an Inception-v3 pool3 ONNX as the kid_features role ([B,3,299,299] in [0,1] → [B,2048]; models/README.md)",
    "[animation] personalized path (Sec. 6): blendshape path only (--path blendshape); the personalized path needs anim_e_geo, anim_e_exp, anim_g_geo exports",
  ]);
  assert.ok(runsExactly(t, "texture.vae-vjp") && runsExactly(t, "geometry.carving-vjp"), "derived counts as exact for the stages");
  assert.ok(!runsExactly(t, "texture.specular"));
  const text = formatCapabilityTable(t);
  assert.equal(text.split("\n")[0], "capabilities of the sd15 profile (geometry, texture, evaluation, animation): 8 exact, 2 derived, 5 substituted, 2 unavailable");
  assert.match(text, /derived: vae_encoder_vjp, vae_decoder_vjp — written from the public graphs by autodiff/);
  assert.equal(text.split("\n").filter((l) => l.startsWith("  substitute: ")).length, 7);
  assert.match(text, /texture +specular map +substituted +specular_decoder \(missing\)/);
});

test("(c) VJP roles neither present nor derivable (their sources missing): the linear approximation, and the VAE rows unavailable", () => {
  const states: Record<string, RoleState> = { text_encoder: "present", unet: "present", clip_text: "present", clip_image: "present" };
  const t = capabilityTable("sd15", states, ["geometry", "texture"]);
  const s = statuses(t);
  assert.equal(s["geometry.carving-vjp"], "substituted");
  assert.equal(s["texture.vae-vjp"], "substituted");
  assert.equal(t.rows.find((r) => r.id === "texture.vae-vjp")!.substitute, LINEAR_VJP_SUBSTITUTE);
  assert.equal(s["geometry.carving"], "unavailable");
  assert.equal(s["texture.image-sds"], "unavailable");
  assert.equal(t.rows.find((r) => r.id === "texture.image-sds")!.substitute, "needs vae_encoder, vae_decoder (missing)");
  assert.equal(s["geometry.ranking"], "exact");
  // One VJP present as a file and the other missing: the pair falls back together.
  const half = capabilityTable("sd15", { ...states, vae_encoder: "present", vae_decoder: "present", vae_encoder_vjp: "present" }, ["texture"]);
  assert.equal(statuses(half)["texture.vae-vjp"], "substituted");
  assert.deepEqual(half.rows.find((r) => r.id === "texture.vae-vjp")!.missing, ["vae_decoder_vjp"]);
});

test("restrictTable keeps a stage's rows and substitution lines only", () => {
  const t = capabilityTable("sd15", Object.fromEntries(PUBLIC.map((r) => [r, "present" as RoleState])));
  const g = restrictTable(t, ["geometry"]);
  assert.deepEqual(g.stages, ["geometry"]);
  assert.ok(g.rows.every((r) => r.stage === "geometry"));
  assert.deepEqual(g.substitutions, [`[geometry] carving gradient through the VAE encoder: ${LINEAR_VJP_SUBSTITUTE}`]);
});
