import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { cardsFor } from "../../models/cards/profiles.js";
import { formatCapabilityTable } from "../../src/engine/models/capabilities.js";
import { runCli } from "../../test/helpers/cli.js";
import { tempDir } from "../../test/helpers/tmp.js";
import { UserError } from "../cli/errors.js";
import { writeTinyModels } from "./build-tiny.js";
import { preflight, probeRoles, requireFeature } from "./preflight.js";

const root = tempDir("preflight-");
const tiny = join(root, "tiny");
await writeTinyModels(tiny, 0, "core");
const PUBLIC = ["text_encoder", "unet", "vae_encoder", "vae_decoder", "clip_text", "clip_image"];
const sd15File = (role: string) => cardsFor("sd15").find((c) => c.role === role)!.file;

/** An sd15-layout folder holding only the public roles, as copies of the tiny graphs (same signatures). */
function publicFolder(name: string): string {
  const dir = join(root, name);
  for (const role of PUBLIC) {
    const to = join(dir, sd15File(role));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(join(tiny, `${role}.onnx`), to);
  }
  return dir;
}

/** Runs `work`, expecting a UserError; returns its message. */
async function userError(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
  } catch (error) {
    assert.ok(error instanceof UserError, `expected a UserError, got ${(error as Error).stack}`);
    return error.message;
  }
  assert.fail("expected a UserError");
}

test("tiny folder with every role: every geometry and texture feature exact, test-signal label kept", async () => {
  const table = await preflight({ profile: "tiny", modelsDir: tiny, stages: ["geometry", "texture"] });
  assert.ok(table.rows.every((r) => r.status === "exact"), formatCapabilityTable(table));
  assert.match(formatCapabilityTable(table), /every role present, every feature exact \[tiny profile — test signal, not a face\]/);
});

test("public weights only (sd15): VAE VJPs derived from their sources, private roles substituted", async () => {
  const dir = publicFolder("public");
  const probe = await probeRoles({ profile: "sd15", modelsDir: dir, roles: ["vae_encoder_vjp", "vae_decoder_vjp", "specular_decoder", "unet"] });
  assert.deepEqual(probe.states, { vae_encoder_vjp: "derived", vae_decoder_vjp: "derived", specular_decoder: "missing", unet: "present" });
  const table = await preflight({ profile: "sd15", modelsDir: dir, stages: ["geometry", "texture"] });
  const by = Object.fromEntries(table.rows.map((r) => [r.id, r.status]));
  assert.deepEqual(
    Object.entries(by).filter(([, s]) => s !== "exact"),
    [
      ["geometry.carving-vjp", "derived"],
      ["texture.ldm", "substituted"],
      ["texture.vae-vjp", "derived"],
      ["texture.specular", "substituted"],
      ["texture.normal", "substituted"],
      ["texture.restore", "substituted"],
      ["texture.upscale", "substituted"],
    ],
  );
  assert.equal(table.substitutions.length, 5);
  // Without the derivation's source, the derived role is missing, not derived.
  const noDecoder = publicFolder("no-decoder");
  writeFileSync(join(noDecoder, sd15File("vae_decoder")), readFileSync(join(tiny, "vae_decoder.onnx")).subarray(0, 0));
  const p2 = await probeRoles({ profile: "sd15", modelsDir: noDecoder, roles: ["vae_decoder_vjp"] });
  assert.equal(p2.states.vae_decoder_vjp, "missing");
});

test("a truncated or zero-byte public model fails fast: one line naming the role, the file and the fix", async () => {
  const dir = publicFolder("truncated");
  const unet = join(dir, sd15File("unet"));
  const bytes = readFileSync(unet);
  writeFileSync(unet, bytes.subarray(0, Math.floor(bytes.length / 2)));
  const msg = await userError(() => preflight({ profile: "sd15", modelsDir: dir, stages: ["geometry", "texture"] }));
  assert.doesNotMatch(msg, /\n/);
  assert.match(msg, /^the sd15 profile has a broken model file: .*unet\/model\.onnx \(unet\): is truncated or corrupt.*Fix: run `dreamface models pull sd15`/);
  assert.ok(msg.includes(unet));

  const empty = publicFolder("zero-byte");
  writeFileSync(join(empty, sd15File("vae_encoder")), new Uint8Array(0));
  const msg2 = await userError(() => preflight({ profile: "sd15", modelsDir: empty, stages: ["geometry"] }));
  assert.doesNotMatch(msg2, /\n/);
  assert.match(msg2, /vae_encoder\/model\.onnx \(vae_encoder\): .*Fix:/);

  // A broken private role matters only to the stage that uses it.
  const priv = publicFolder("broken-private");
  mkdirSync(join(priv, "specular_decoder"), { recursive: true });
  writeFileSync(join(priv, "specular_decoder", "model.onnx"), "not a model\n".repeat(10));
  await preflight({ profile: "sd15", modelsDir: priv, stages: ["geometry"] });
  assert.match(await userError(() => preflight({ profile: "sd15", modelsDir: priv, stages: ["texture"] })), /specular_decoder\/model\.onnx \(specular_decoder\)/);
});

test("a missing public model is a one-line error with the pull hint", async () => {
  const dir = join(root, "no-clip");
  publicFolder("no-clip");
  const { unlinkSync } = await import("node:fs");
  unlinkSync(join(dir, sd15File("clip_image")));
  const msg = await userError(() => preflight({ profile: "sd15", modelsDir: dir, stages: ["geometry"] }));
  assert.doesNotMatch(msg, /\n/);
  assert.match(msg, /^the sd15 profile cannot run geometry without clip_image: .*clip\/vision_model\.onnx \(clip_image\): missing\. Fix: run `dreamface models pull sd15`/);
  // The texture stage does not use CLIP: it is not stopped by its absence.
  await preflight({ profile: "sd15", modelsDir: dir, stages: ["texture"] });
});

test("single features: KID and the personalized path say they are unavailable and what to do", async () => {
  const dir = publicFolder("features");
  assert.match(await userError(() => requireFeature({ profile: "sd15", modelsDir: dir, id: "evaluation.kid" })), /cannot run \[evaluation\] KID \(kid_features missing in .*\): unavailable — install an Inception-v3 pool3 ONNX/);
  assert.match(await userError(() => requireFeature({ profile: "sd15", modelsDir: dir, id: "animation.personalized" })), /cannot run \[animation\] personalized path \(Sec\. 6\) \(anim_e_geo, anim_e_exp, anim_g_geo missing in .*\): blendshape path only \(--path blendshape\)/);
  assert.equal((await requireFeature({ profile: "tiny", modelsDir: tiny, id: "evaluation.kid" })).row.status, "exact");
});

test("CLI: generate exits 2 before any work on a truncated model; models check prints the table and passes on public weights", () => {
  const dir = publicFolder("cli");
  const te = join(dir, sd15File("text_encoder"));
  writeFileSync(te, readFileSync(te).subarray(0, 100));
  const out = join(root, "cli-run");
  const r = runCli(["generate", "an old man", "--profile", "sd15", "--out", out], { DREAMFACE_SD15_DIR: dir });
  assert.equal(r.status, 2, r.stderr);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^dreamface: the sd15 profile has a broken model file: .*text_encoder\/model\.onnx \(text_encoder\).*Fix:/);
  assert.ok(!existsSync(out), "nothing written");

  const good = publicFolder("cli-good");
  const c = runCli(["models", "check", good, "--profile", "sd15"]);
  assert.equal(c.status, 0, c.stderr);
  assert.match(c.stdout, /^capabilities of the sd15 profile \(geometry, texture, evaluation, animation\): 8 exact, 2 derived, 5 substituted, 2 unavailable$/m);
  assert.match(c.stdout, /substitute: \[texture\] specular map: skin specular prior/);
  assert.match(c.stdout, /--  specular_decoder: absent \(no public weights; its substitute is in the table\)/);
  assert.match(c.stdout, /the 6 sd15 model files present look right; \d+ role\(s\) absent, derived or substituted/);
});

test("derived roles are written during preflight; an op the autodiff cannot differentiate is one line before any work", async () => {
  const { onnx } = await import("../../src/engine/autodiff/proto.js");
  const dir = publicFolder("underivable");
  await preflight({ profile: "sd15", modelsDir: dir, stages: ["geometry"] });
  assert.ok(existsSync(join(dir, "vae_encoder", "vae_encoder_vjp.derived.onnx")), "derived before the stage starts");
  // Route the decoder's output through Hardmax, an op with no VJP rule.
  const file = join(dir, sd15File("vae_decoder"));
  const model = onnx.ModelProto.decode(readFileSync(file));
  const graph = model.graph!;
  const out = graph.output![0]!.name!;
  for (const n of graph.node!) n.output = n.output!.map((o) => (o === out ? "pre_hardmax" : o));
  graph.node!.push(onnx.NodeProto.create({ opType: "Hardmax", name: "odd_node", input: ["pre_hardmax"], output: [out] }));
  writeFileSync(file, onnx.ModelProto.encode(model).finish());
  const message = await userError(() => preflight({ profile: "sd15", modelsDir: dir, stages: ["geometry", "texture"] }));
  assert.match(message, /cannot derive vae_decoder_vjp from vae_decoder .*no VJP rule for op "Hardmax" \(node "odd_node"\).*Fix: export vae_decoder_vjp yourself/);
  assert.ok(!message.includes("\n"), "one line");
});
