// onnxruntime-web (wasm, single thread) runs in Node too: check it gives the same outputs as
// onnxruntime-node on every tiny role, through the same engine wrappers.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as ort from "onnxruntime-web";
import { ortWebBackend } from "../../src/components/ortWebBackend.js";
import { createNodeBackend } from "../../data-loaders/models/backend-node.js";
import { defaultTinyDir } from "../../data-loaders/models/build-tiny.js";
import { ensureTinyModels } from "../../data-loaders/models/ensure-tiny.js";
import { Rng } from "../../src/engine/util/rng.js";
import { f32 } from "../../src/engine/models/tensor.js";
import type { Backend, Tensor } from "../../src/engine/models/backend.js";
import {
  encodeText, clipTextEmbed, clipImageEmbed, unetEpsPair, unetEps, vaeEncode, vaeDecode, vaeEncodeVjp, vaeDecodeVjp,
  decodeNormal, decodeSpecular, restore, upscale, kidFeatures, textureDomainTokens,
} from "../../src/engine/models/index.js";

await ensureTinyModels();
const dir = defaultTinyDir();
const web = ortWebBackend({ ort, profile: "tiny", numThreads: 1, load: async (role) => readFileSync(join(dir, `${role}.onnx`)) });
const node = await createNodeBackend({ profile: "tiny" });
after(async () => {
  await web.dispose();
  await node.dispose();
});

const rng = new Rng(3);
const randn = (dims: number[], s = 1) => f32(rng.normals(dims.reduce((a, b) => a * b, 1)).map((v) => v * s), dims);
const ids = new Int32Array(77).fill(49407);
ids.set([49406, 320, 33740, 1125, 539, 320, 1710, 49407]);

function close(a: Tensor, b: Tensor, label: string, tol = 1e-5) {
  assert.deepEqual(a.dims, b.dims, `${label} dims`);
  const x = a.data as Float32Array;
  const y = b.data as Float32Array;
  let scale = 1e-6;
  let err = 0;
  for (let i = 0; i < x.length; i++) {
    scale = Math.max(scale, Math.abs(y[i]!));
    err = Math.max(err, Math.abs(x[i]! - y[i]!));
  }
  assert.ok(err <= tol * Math.max(1, scale), `${label}: max |web − node| = ${err} (scale ${scale})`);
}

test("onnxruntime-web (wasm in Node) and onnxruntime-node give equal outputs on every tiny role", async () => {
  const lat = randn([1, 4, 8, 8], 0.5);
  const img = randn([1, 3, 64, 64], 0.5);
  const cases: [string, (b: Backend) => Promise<Tensor>][] = [
    ["text_encoder", async (b) => (await encodeText(b, ids)).hiddenStates],
    ["clip_text", (b) => clipTextEmbed(b, ids)],
    ["clip_image", (b) => clipImageEmbed(b, randnFixed([1, 3, 224, 224]))],
    ["unet pair", async (b) => {
      const h = (await encodeText(b, ids)).hiddenStates;
      return (await unetEpsPair(b, "unet", lat, 700, h, h)).cond;
    }],
    ["texture_unet", async (b) => unetEps(b, "texture_unet", randnFixed([1, 5, 8, 8]), 30, (await encodeText(b, ids)).hiddenStates)],
    ["vae_encoder", (b) => vaeEncode(b, img)],
    ["vae_decoder", (b) => vaeDecode(b, lat)],
    ["vae_encoder_vjp", (b) => vaeEncodeVjp(b, img, randnFixed([1, 4, 8, 8]))],
    ["vae_decoder_vjp", (b) => vaeDecodeVjp(b, lat, randnFixed([1, 3, 64, 64]))],
    ["specular_decoder", (b) => decodeSpecular(b, lat)],
    ["normal_decoder", (b) => decodeNormal(b, lat)],
    ["restore", (b) => restore(b, img)],
    ["upscale", (b) => upscale(b, randnFixed([1, 3, 16, 16]))],
    ["kid_features", (b) => kidFeatures(b, randnFixed([1, 3, 299, 299]))],
    ["texture_domain_tokens", async (b) => { const d = (await textureDomainTokens(b)).desired; return f32(d, [d.length]); }],
  ];
  for (const [label, run] of cases) close(await run(web), await run(node), label);
  assert.match(web.name, /onnxruntime-web \(wasm\)/);
  assert.deepEqual(web.modelHashes().unet, node.modelHashes().unet);
});

// Inputs that both backends must see identically: derived from a label, not the shared stream.
function randnFixed(dims: number[]): Tensor {
  const r = Rng.derive(9, dims.join("x"));
  return f32(r.normals(dims.reduce((a, b) => a * b, 1)), dims);
}
