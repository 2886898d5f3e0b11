// Derived roles: the autodiff's VJPs of the tiny VAE must equal the tiny profile's hand-built
// exact VJP graphs (max|diff|/max|expected| ≤ 1e-3, stated as such), the cache must be
// reused and re-derived when the source changes, and the backend must derive on demand.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { Rng } from "../../src/engine/util/rng.js";
import { buildTextEncoder, buildUnet, buildVaeDecoder, buildVaeDecoderVjp, buildVaeEncoder, buildVaeEncoderVjp } from "../../models/tiny/build.js";
import { tempDir } from "../../test/helpers/tmp.js";
import { DERIVED_FROM, ensureDerived } from "./derive.js";
import { createNodeBackend } from "./backend-node.js";

const rng = new Rng(11);
const randn = (dims: number[]) => new ort.Tensor("float32", rng.normals(dims.reduce((a, b) => a * b, 1)), dims);

/** max|a − b| / max|b|. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    s = Math.max(s, Math.abs(b[i]!));
  }
  assert.ok(s > 0, "the expected VJP is zero: the comparison would be vacuous");
  return d / s;
}

async function compare(derived: string, exact: Uint8Array, feeds: Record<string, ort.Tensor>, out: string): Promise<number> {
  const a = await (await ort.InferenceSession.create(derived)).run(feeds);
  const b = await (await ort.InferenceSession.create(exact)).run(feeds);
  return relErr(a[out]!.data as Float32Array, b[out]!.data as Float32Array);
}

test("derived vae_decoder_vjp equals the tiny profile's exact one (≤ 1e-3 of its max)", async () => {
  const dir = tempDir("derive-dec-");
  writeFileSync(join(dir, "vae_decoder.onnx"), buildVaeDecoder(0));
  const d = ensureDerived("vae_decoder_vjp", join(dir, "vae_decoder.onnx"));
  assert.equal(d.fresh, true);
  const err = await compare(d.file, buildVaeDecoderVjp(0), { latent_sample: randn([2, 4, 3, 2]), grad_sample: randn([2, 3, 24, 16]) }, "grad_latent_sample");
  assert.ok(err <= 1e-3, `max|diff|/max|expected| = ${err}`);
});

test("derived vae_encoder_vjp equals the tiny profile's exact one (≤ 1e-3 of its max)", async () => {
  const dir = tempDir("derive-enc-");
  writeFileSync(join(dir, "vae_encoder.onnx"), buildVaeEncoder(0));
  const d = ensureDerived("vae_encoder_vjp", join(dir, "vae_encoder.onnx"));
  const err = await compare(d.file, buildVaeEncoderVjp(0), { sample: randn([1, 3, 32, 16]), grad_latent_sample: randn([1, 4, 4, 2]) }, "grad_sample");
  assert.ok(err <= 1e-3, `max|diff|/max|expected| = ${err}`);
});

test("the cache is reused while the source is unchanged and re-derived when it changes", () => {
  const dir = tempDir("derive-cache-");
  const src = join(dir, "vae_decoder.onnx");
  writeFileSync(src, buildVaeDecoder(0));
  const first = ensureDerived("vae_decoder_vjp", src);
  assert.equal(ensureDerived("vae_decoder_vjp", src).fresh, false);
  writeFileSync(src, buildVaeDecoder(1)); // other weights, same signature
  const again = ensureDerived("vae_decoder_vjp", src);
  assert.equal(again.fresh, true);
  assert.notEqual(again.sourceSha256, first.sourceSha256);
});

test("every derived role names a source role", () => {
  assert.deepEqual(Object.keys(DERIVED_FROM).sort(), ["text_encoder_embeds", "text_encoder_embeds_vjp", "token_embeddings", "unet_cond_vjp", "vae_decoder_vjp", "vae_encoder_vjp"]);
});

test("an sd15-layout folder without VJP files: the backend derives them beside their sources", async () => {
  const dir = tempDir("derive-sd15-");
  for (const [role, bytes] of [["vae_encoder", buildVaeEncoder(0)], ["vae_decoder", buildVaeDecoder(0)], ["unet", buildUnet(0)], ["text_encoder", buildTextEncoder(0, { idsType: "int64" })]] as const) {
    mkdirSync(join(dir, role));
    writeFileSync(join(dir, role, "model.onnx"), bytes);
  }
  const backend = await createNodeBackend({ profile: "sd15", modelsDir: dir });
  try {
    for (const role of ["vae_encoder_vjp", "vae_decoder_vjp", "unet_cond_vjp", "text_encoder_embeds", "text_encoder_embeds_vjp", "token_embeddings"]) {
      const s = await backend.session(role);
      assert.ok(s.outputs.length > 0, role);
      assert.ok(existsSync(join(dir, DERIVED_FROM[role]!, `${role}.derived.onnx`)), `${role} cached beside ${DERIVED_FROM[role]}`);
    }
    const s = await backend.session("unet_cond_vjp");
    assert.deepEqual(s.inputs.map((i) => i.name).sort(), ["encoder_hidden_states", "grad_out_sample", "sample", "timestep"]);
    assert.deepEqual(s.outputs.map((o) => o.name), ["grad_encoder_hidden_states"]);
  } finally {
    await backend.dispose();
  }
});

test("derived token_embeddings then text_encoder_embeds compose to text_encoder (int64 ids)", async () => {
  const dir = tempDir("derive-tok-");
  const src = join(dir, "text_encoder.onnx");
  writeFileSync(src, buildTextEncoder(0, { idsType: "int64" }));
  const tok = await ort.InferenceSession.create(ensureDerived("token_embeddings", src).file);
  assert.deepEqual(tok.inputNames, ["input_ids"]);
  assert.deepEqual(tok.outputNames, ["inputs_embeds"]);
  const ids = new ort.Tensor("int64", BigInt64Array.from({ length: 77 }, (_, i) => BigInt(i < 5 ? 49406 - i * 1000 : 49407)), [1, 77]);
  const { inputs_embeds } = await tok.run({ input_ids: ids });
  assert.deepEqual(inputs_embeds!.dims, [1, 77, 8]);
  const cut = await (await ort.InferenceSession.create(ensureDerived("text_encoder_embeds", src).file)).run({ input_ids: ids, inputs_embeds: inputs_embeds! });
  const whole = await (await ort.InferenceSession.create(src)).run({ input_ids: ids });
  for (const out of ["last_hidden_state", "pooler_output"]) assert.deepEqual(Array.from(cut[out]!.data as Float32Array), Array.from(whole[out]!.data as Float32Array), out);
});
