// Model-call throughput on the tiny profile: onnxruntime-node (ours, the CLI's backend)
// against onnxruntime-web's wasm build run in Node on the same graphs in the same run (the
// pages' backend). Tiny outputs are test signals; this measures call overhead and kernels,
// not the speed of real SD1.5 (whose UNet is ~10⁴× larger).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as ortWeb from "onnxruntime-web";
import { time, report, ratioLine, type Timing } from "./lib.js";
import { createNodeBackend } from "../data-loaders/models/backend-node.js";
import { defaultTinyDir } from "../data-loaders/models/build-tiny.js";
import { ensureTinyModels } from "../data-loaders/models/ensure-tiny.js";
import { ortWebBackend } from "../src/components/ortWebBackend.js";
import { Rng } from "../src/engine/util/rng.js";
import { f32 } from "../src/engine/models/tensor.js";
import type { Backend, Tensor } from "../src/engine/models/backend.js";
import {
  encodeText, clipTextEmbed, clipImageEmbed, unetEps, unetEpsPair, vaeEncode, vaeDecode, vaeEncodeVjp, vaeDecodeVjp,
} from "../src/engine/models/index.js";

await ensureTinyModels();
const dir = defaultTinyDir();
// One intra-op thread each: the wasm peer runs single-threaded in Node, so this compares kernels.
const node = await createNodeBackend({ profile: "tiny", threads: 1 });
const web = ortWebBackend({ ort: ortWeb, numThreads: 1, load: async (role) => readFileSync(join(dir, `${role}.onnx`)) });

const rng = new Rng(1);
const randn = (dims: number[], s = 1): Tensor => f32(rng.normals(dims.reduce((a, b) => a * b, 1)).map((v) => v * s), dims);
const ids = new Int32Array(77).fill(49407);
ids.set([49406, 320, 33740, 1125, 539, 320, 1710, 49407]);
const hidden = (await encodeText(node, ids)).hiddenStates;
const lat64 = randn([1, 4, 64, 64], 0.5);
const lat64x2 = randn([2, 4, 64, 64], 0.5);
const hidden2: Tensor = f32(new Float32Array([...(hidden.data as Float32Array), ...(hidden.data as Float32Array)]), [2, 77, 768]);
const img512 = randn([1, 3, 512, 512], 0.5);
const gradImg = randn([1, 3, 512, 512]);
const gradLat = randn([1, 4, 64, 64]);
const pix = randn([1, 3, 224, 224]);

const cases: [string, (b: Backend) => Promise<unknown>, number][] = [
  ["unet 64×64 batch 1", (b) => unetEps(b, "unet", lat64, 500, hidden), 30],
  ["unet 64×64 batch 2", (b) => unetEps(b, "unet", lat64x2, 500, hidden2), 30],
  ["unet CFG pair (one batch-2 call)", (b) => unetEpsPair(b, "unet", lat64, 500, hidden, hidden), 30],
  ["text_encoder", (b) => encodeText(b, ids), 30],
  ["clip_text", (b) => clipTextEmbed(b, ids), 30],
  ["clip_image 224²", (b) => clipImageEmbed(b, pix), 20],
  ["vae_encoder 512²", (b) => vaeEncode(b, img512), 15],
  ["vae_decoder 64² → 512²", (b) => vaeDecode(b, lat64), 15],
  ["vae_encoder_vjp 512²", (b) => vaeEncodeVjp(b, img512, gradLat), 15],
  ["vae_decoder_vjp 512²", (b) => vaeDecodeVjp(b, lat64, gradImg), 15],
];

const rows: { call: string; node: Timing; web: Timing; ratio: number; nodeCallsPerSec: number; webCallsPerSec: number }[] = [];
for (const [label, fn, runs] of cases) {
  const n = await time("onnxruntime-node", () => fn(node), { runs, warmup: 3 });
  const w = await time("onnxruntime-web wasm", () => fn(web), { runs, warmup: 3 });
  ratioLine(label, n, w);
  rows.push({ call: label, node: n, web: w, ratio: n.medianMs / w.medianMs, nodeCallsPerSec: 1000 / n.medianMs, webCallsPerSec: 1000 / w.medianMs });
}
for (const r of rows.filter((r) => r.call.startsWith("unet"))) {
  console.log(`${r.call}: ${r.nodeCallsPerSec.toFixed(0)} calls/s (node) vs ${r.webCallsPerSec.toFixed(0)} calls/s (web wasm)`);
}
report("models", { profile: "tiny", note: "tiny profile: test-signal graphs, not SD1.5 speed", threads: 1, rows });
await node.dispose();
await web.dispose();
