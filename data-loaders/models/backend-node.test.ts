import { test, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Rng } from "../../src/engine/util/rng.js";
import { tensor, f32 } from "../../src/engine/models/tensor.js";
import {
  encodeText, clipTextEmbed, unetEps, unetEpsPair, vaeEncode, vaeDecode, clipImageEmbed,
  decodeSpecular, decodeNormal, restore, upscale, kidFeatures, textureDomainTokens,
} from "../../src/engine/models/index.js";
import { buildTextEncoder, buildUnet, DEFAULT_SEED } from "../../models/tiny/build.js";
import { createNodeBackend } from "./backend-node.js";
import { ModelMissingError } from "../cli/errors.js";
import { tempDir } from "../../test/helpers/tmp.js";

const backend = await createNodeBackend({ profile: "tiny" });
const variantsDir = tempDir("tiny-variants-");
after(() => backend.dispose());

const rng = new Rng(11);
const randn = (dims: number[], s = 1) => f32(rng.normals(dims.reduce((a, b) => a * b, 1)).map((v) => v * s), dims);
const ids = (...tokens: number[]) => {
  const a = new Int32Array(77).fill(49407);
  a.set([49406, ...tokens, 49407]);
  return a;
};
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

test("every tiny role runs in onnxruntime-node with the documented output shapes", async () => {
  const text = await encodeText(backend, ids(320, 1125));
  assert.deepEqual(text.hiddenStates.dims, [1, 77, 768]);
  assert.deepEqual(text.pooled.dims, [1, 768]);
  assert.deepEqual((await clipTextEmbed(backend, ids(320))).dims, [1, 768]);
  const lat = randn([1, 4, 8, 8], 0.5);
  assert.deepEqual((await unetEps(backend, "unet", lat, 500, text.hiddenStates)).dims, [1, 4, 8, 8]);
  assert.deepEqual((await unetEps(backend, "texture_unet", randn([1, 5, 8, 8]), 10, text.hiddenStates)).dims, [1, 4, 8, 8]);
  const img = await vaeDecode(backend, lat);
  assert.deepEqual(img.dims, [1, 3, 64, 64]);
  assert.deepEqual((await vaeEncode(backend, img)).dims, [1, 4, 8, 8]);
  assert.deepEqual((await decodeSpecular(backend, lat)).dims, [1, 3, 64, 64]);
  assert.deepEqual((await decodeNormal(backend, lat)).dims, [1, 3, 64, 64]);
  assert.deepEqual((await clipImageEmbed(backend, randn([2, 3, 224, 224]))).dims, [2, 768]);
  assert.deepEqual((await restore(backend, randn([1, 3, 32, 32]))).dims, [1, 3, 32, 32]);
  assert.deepEqual((await upscale(backend, randn([1, 3, 16, 16]))).dims, [1, 3, 64, 64]);
  assert.deepEqual((await kidFeatures(backend, randn([3, 3, 299, 299]))).dims, [3, 64]);
  const tokens = await textureDomainTokens(backend);
  assert.equal(tokens.desired.length, 8, "token embeddings of the tiny text encoder (its token table is 8 wide)");
  assert.ok(maxAbsDiff(tokens.desired, tokens.undesired) > 0.1);
  assert.equal(Object.keys(backend.modelHashes()).length, 13);
  assert.match(backend.modelHashes().unet!, /^[0-9a-f]{64}$/);
});

test("outputs depend on the prompt and the timestep, so CFG has a signal", async () => {
  const lat = randn([1, 4, 8, 8], 0.5);
  const a = (await encodeText(backend, ids(320, 1125))).hiddenStates;
  const b = (await encodeText(backend, ids())).hiddenStates;
  const ea = await unetEps(backend, "unet", lat, 500, a);
  assert.ok(maxAbsDiff(ea.data as Float32Array, (await unetEps(backend, "unet", lat, 500, b)).data as Float32Array) > 1e-3);
  assert.ok(maxAbsDiff(ea.data as Float32Array, (await unetEps(backend, "unet", lat, 100, a)).data as Float32Array) > 1e-3);
});

test("unetEpsPair batches uncond+cond in one call and equals two single calls", async () => {
  const lat = randn([1, 4, 8, 8], 0.5);
  const uncond = (await encodeText(backend, ids())).hiddenStates;
  const cond = (await encodeText(backend, ids(320, 1710))).hiddenStates;
  const pair = await unetEpsPair(backend, "unet", lat, 321, uncond, cond);
  const u = await unetEps(backend, "unet", lat, 321, uncond);
  const c = await unetEps(backend, "unet", lat, 321, cond);
  assert.ok(maxAbsDiff(pair.uncond.data as Float32Array, u.data as Float32Array) < 1e-5);
  assert.ok(maxAbsDiff(pair.cond.data as Float32Array, c.data as Float32Array) < 1e-5);
});

test("wrappers adapt to timestep int64 / float16 / scalar and input_ids int64 exports", async () => {
  const files: Record<string, Uint8Array> = {
    unet_int64: buildUnet(DEFAULT_SEED, { timestepType: "int64" }),
    unet_fp16: buildUnet(DEFAULT_SEED, { timestepType: "float16" }),
    unet_scalar: buildUnet(DEFAULT_SEED, { timestepShape: "scalar" }),
    te_int64: buildTextEncoder(DEFAULT_SEED, { idsType: "int64" }),
  };
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(variantsDir, `${name}.onnx`), bytes);
  const lat = randn([1, 4, 8, 8], 0.5);
  const text = (await encodeText(backend, ids(320, 2368))).hiddenStates;
  const base = (await unetEps(backend, "unet", lat, 500, text)).data as Float32Array;
  for (const variant of ["unet_int64", "unet_fp16", "unet_scalar"]) {
    const vb = await createNodeBackend({ profile: "tiny", modelsDir: variantsDir, files: { unet: `${variant}.onnx` } });
    const session = await vb.session("unet");
    const declared = session.inputs.find((i) => i.name === "timestep")!;
    assert.equal(declared.dtype, variant === "unet_int64" ? "int64" : variant === "unet_fp16" ? "float16" : "float32");
    const eps = (await unetEps(vb, "unet", lat, 500, text)).data as Float32Array;
    assert.ok(maxAbsDiff(eps, base) < 1e-5, `${variant} differs from the float32 [B] graph`);
    await vb.dispose();
  }
  const vb = await createNodeBackend({ profile: "tiny", modelsDir: variantsDir, files: { text_encoder: "te_int64.onnx" } });
  assert.equal((await vb.session("text_encoder")).inputs[0]!.dtype, "int64");
  const h64 = (await encodeText(vb, ids(320, 2368))).hiddenStates.data as Float32Array;
  assert.ok(maxAbsDiff(h64, text.data as Float32Array) < 1e-6);
  await vb.dispose();
});

test("a missing model file is a ModelMissingError naming the role, the path and the fix", async () => {
  const vb = await createNodeBackend({ profile: "tiny", modelsDir: variantsDir });
  await assert.rejects(vb.session("vae_decoder"), (e: unknown) => e instanceof ModelMissingError && e.role === "vae_decoder" && /role "vae_decoder" not found: .*vae_decoder\.onnx.*build-tiny/.test(e.message));
  await vb.dispose();
});

test("tensor() rejects data that does not fill its dims", () => {
  assert.throws(() => tensor("float32", new Float32Array(5), [2, 3]), /5 elements but dims \[2,3\] need 6/);
});
