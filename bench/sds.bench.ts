// One image-space SDS step on the ICT "dreamface" region at 512², split into its parts:
// render (shaded, normal-mapped, our rasterizer) → encode (vae_encoder) → UNet (batch-2 CFG)
// → VJP (vae_encoder_vjp + renderer adjoint to the normal map and positions) → optimizer
// (Adam on both). Models: the tiny profile on onnxruntime-node — seeded random graphs, so
// the numbers time the plumbing and our JS, not SD 1.5 (a real UNet call is ~1000× longer).
// Peers measured in the same run: each part as a multiple of the UNet call, and the same
// UNet call on onnxruntime-web (wasm, 1 thread) in Node.
// The step renders as `dreamface geometry` does: the stage renderer (STAGE_BANDS bands over
// every core, SDS_BENCH_THREADS to change). Also in the same run: three.js (SwiftShader)
// drawing the same mesh at 512² (the renderer peer), and the step's render + renderer adjoint
// on the calling thread alone (render()/renderBackward(), one band).
// SDS_BENCH_STEPS overrides the number of timed steps (default 8).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as ortWeb from "onnxruntime-web";
import { report, ratioLine, time, type Timing } from "./lib.js";
import { loadFaceModel } from "../data-loaders/face/load.js";
import { loadTokenizer } from "../data-loaders/clip/merges.js";
import { createNodeBackend } from "../data-loaders/models/backend-node.js";
import { defaultTinyDir } from "../data-loaders/models/build-tiny.js";
import { ensureTinyModels } from "../data-loaders/models/ensure-tiny.js";
import { ortWebBackend } from "../src/components/ortWebBackend.js";
import { seamSplit } from "../src/engine/face/seam.js";
import { synthesize } from "../src/engine/face/synthesize.js";
import { addNoise, cfg, ddpmSchedule, sdsGrad, timestepAt } from "../src/engine/diffusion/index.js";
import { hwcToChw, toSigned } from "../src/engine/image/layout.js";
import { encodeText, unetEpsPair, vaeEncode, vaeEncodeVjp } from "../src/engine/models/index.js";
import { asFloat32, f32 } from "../src/engine/models/tensor.js";
import type { Backend, Tensor } from "../src/engine/models/backend.js";
import { Adam } from "../src/engine/optim/adam.js";
import { orbitCamera, directionalLight } from "../src/engine/raster/camera.js";
import { render, renderBackward } from "../src/engine/raster/render.js";
import { Rng } from "../src/engine/util/rng.js";
import { loadavg } from "node:os";
import { createStageRenderer } from "../data-loaders/raster/render-workers.js";
import { STAGE_BANDS } from "../src/engine/raster/parallel.js";
import { launchThreePeer } from "../data-loaders/raster/three-peer.js";
import { FACE_DISTANCE, FACE_FOV_Y, FACE_TARGET } from "../src/engine/raster/camera.js";

const loadBefore = loadavg();

const SIZE = 512, NORMAL_MAP = 256, GUIDANCE = 100;
const STEPS = Number(process.env.SDS_BENCH_STEPS ?? 8);
const stage = await createStageRenderer(process.env.SDS_BENCH_THREADS ? Number(process.env.SDS_BENCH_THREADS) : undefined, STAGE_BANDS);

await ensureTinyModels();
const node = await createNodeBackend({ profile: "tiny" });
const model = await loadFaceModel();
const split = seamSplit(model, "dreamface");
const positions = synthesize(model, { region: "dreamface" }).slice();
// N_d as carving holds it: one NORMAL_MAP² tile per UV tile (face | head and neck).
const normalMap = new Float32Array(NORMAL_MAP * NORMAL_MAP * split.tiles * 3);
for (let i = 2; i < normalMap.length; i += 3) normalMap[i] = 1;
const mesh = { positions, triangles: split.triangles, uv: split.uv, source: split.source };

// Prompt embeddings are computed once per run, outside the step (as the stages do).
const tokenizer = loadTokenizer();
const encodeHidden = async (backend: Backend) => ({
  cond: (await encodeText(backend, tokenizer.tokenize("a DSLR photo of a face"))).hiddenStates,
  uncond: (await encodeText(backend, tokenizer.tokenize(""))).hiddenStates,
});
const hidden = await encodeHidden(node);

const schedule = ddpmSchedule();
const rng = new Rng(1);
const camera = orbitCamera({ azimuth: 20 });
const light = directionalLight(10, 20);
const stepOpts = () => ({ camera, width: SIZE, height: SIZE, normalMap: { data: normalMap, width: NORMAL_MAP * split.tiles, height: NORMAL_MAP }, light, background: [1, 1, 1], keepNormalFrame: true });
const adamPos = new Adam(positions.length), adamNormal = new Adam(normalMap.length);
const parts = ["render", "encode", "unet", "vjp", "optimizer"] as const;
const samples: Record<(typeof parts)[number], number[]> = { render: [], encode: [], unet: [], vjp: [], optimizer: [] };
const vaeVjpMs: number[] = [];
const adjointMs: number[] = []; // the renderer adjoint inside "vjp" // the VAE part of "vjp" (the rest is the renderer adjoint)
let lastLoss = 0;

async function sdsStep(step: number, record: boolean): Promise<void> {
  const mark = (() => {
    let t = performance.now();
    return (part: (typeof parts)[number]) => {
      const now = performance.now();
      if (record) samples[part].push(now - t);
      t = now;
    };
  })();
  const rendered = await stage.render(mesh, stepOpts());
  mark("render");
  const image = toSigned(hwcToChw({ data: rendered.image, width: SIZE, height: SIZE, channels: 3 }));
  const imageTensor = f32(image, [1, 3, SIZE, SIZE]);
  const latents = await vaeEncode(node, imageTensor);
  mark("encode");
  const t = timestepAt({ kind: "uniform" }, step, STEPS, rng);
  const noise = rng.normals(latents.data.length);
  const noisy = addNoise(schedule, asFloat32(latents), noise, t);
  const pair = await unetEpsPair(node, "unet", f32(noisy, latents.dims), t, hidden.uncond, hidden.cond);
  const eps = cfg(asFloat32(pair.uncond), asFloat32(pair.cond), GUIDANCE);
  const sds = sdsGrad({ schedule, eps, noise, t });
  lastLoss = sds.loss;
  mark("unet"); // UNet pair + CFG + SDS arithmetic
  const tVae = performance.now();
  const gImageChw = asFloat32(await vaeEncodeVjp(node, imageTensor, f32(sds.grad, latents.dims)));
  if (record) vaeVjpMs.push(performance.now() - tVae);
  // Adjoint of toSigned∘hwcToChw: ×2 and back to HWC.
  const gImage = new Float32Array(SIZE * SIZE * 3);
  const P = SIZE * SIZE;
  for (let p = 0; p < P; p++) for (let c = 0; c < 3; c++) gImage[p * 3 + c] = 2 * gImageChw[c * P + p]!;
  const tAdj = performance.now();
  const grads = await stage.renderBackward(rendered, gImage, ["normalMap", "positions"]);
  if (record) adjointMs.push(performance.now() - tAdj);
  mark("vjp");
  adamPos.step(positions, grads.positions!, 1e-3);
  adamNormal.step(normalMap, grads.normalMap!, 1e-2);
  mark("optimizer");
}

for (let i = 0; i < 2; i++) await sdsStep(i, false); // warm-up: session creation, JIT
for (let i = 0; i < STEPS; i++) await sdsStep(i, true);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const timing = (name: string, xs: number[]): Timing => ({ name, medianMs: median(xs), minMs: Math.min(...xs), runs: xs.length });
const partTimings = Object.fromEntries(parts.map((p) => [p, timing(p, samples[p])])) as Record<(typeof parts)[number], Timing>;
const total = parts.reduce((s, p) => s + partTimings[p].medianMs, 0);
await stage.close();
console.log(`one SDS step at ${SIZE}² on the ICT dreamface region (${split.source.length} render vertices), renderer on ${stage.threads} thread(s) × ${stage.bands} bands, tiny models — test signals, not SD 1.5 timings`);
for (const p of parts) console.log(`  ${p.padEnd(9)} ${partTimings[p].medianMs.toFixed(1).padStart(8)} ms  ${((100 * partTimings[p].medianMs) / total).toFixed(1).padStart(5)} %`);
console.log(`  total     ${total.toFixed(1).padStart(8)} ms (sum of part medians); last SDS loss ${lastLoss.toExponential(3)}`);
console.log(`  (vjp: vae_encoder_vjp ${median(vaeVjpMs).toFixed(1)} ms, the rest is the renderer adjoint)`);

// Peer 1: the UNet call alone, on the same node backend.
const z = f32(new Rng(2).normals(4 * (SIZE / 8) ** 2), [1, 4, SIZE / 8, SIZE / 8]);
const unetOnly = await time("UNet pair (onnxruntime-node)", () => unetEpsPair(node, "unet", z, 500, hidden.uncond, hidden.cond), { runs: STEPS, warmup: 2 });
const ratios = parts.map((p) => ratioLine(`${p} vs the UNet call`, partTimings[p], unetOnly));

// Peer 2: the same UNet pair on onnxruntime-web (wasm, one thread) inside Node.
const tinyDir = defaultTinyDir();
const web = ortWebBackend({ ort: ortWeb, profile: "tiny", numThreads: 1, load: async (role: string) => readFileSync(join(tinyDir, `${role}.onnx`)) });
const webHidden: { cond: Tensor; uncond: Tensor } = await encodeHidden(web);
const unetWeb = await time("UNet pair (onnxruntime-web wasm)", () => unetEpsPair(web, "unet", z, 500, webHidden.uncond, webHidden.cond), { runs: STEPS, warmup: 2 });
const webLine = ratioLine("UNet pair node vs web-wasm", unetOnly, unetWeb);
await web.dispose();
await node.dispose();

// Peer 3: the step's render and renderer adjoint on the calling thread alone (one band).
const gStep = Float32Array.from(new Rng(3).normals(SIZE * SIZE * 3), (x) => x * 1e-3);
const syncRender = await time("render, calling thread", () => render(mesh, stepOpts()), { runs: STEPS, warmup: 2 });
const syncFwdAdj = await time("render + renderer adjoint, calling thread", () => renderBackward(render(mesh, stepOpts()), gStep, ["normalMap", "positions"]), { runs: STEPS, warmup: 2 });
// Peer 4: three.js drawing the same mesh at 512² (Lambert, readPixels), as in the raster bench.
const peer = await launchThreePeer();
let three: Timing;
try {
  await peer.setMesh(positions, split.triangles.map((v) => split.source[v]!));
  const r = (20 * Math.PI) / 180;
  const frame = { camera: { eye: [FACE_TARGET[0] + FACE_DISTANCE * Math.sin(r), FACE_TARGET[1], FACE_TARGET[2] + FACE_DISTANCE * Math.cos(r)] as [number, number, number], target: FACE_TARGET, fovY: FACE_FOV_Y, near: 1, far: 1000 }, light: { direction: light.direction, intensity: light.intensity, ambient: light.ambient } };
  await peer.render([frame], SIZE, SIZE, { material: "lambert", readback: false });
  const xs: number[] = [];
  for (let i = 0; i < 15; i++) xs.push((await peer.render([frame], SIZE, SIZE, { material: "lambert", readback: false })).ms);
  three = timing("three.js 512² Lambert + readPixels", xs);
} finally {
  await peer.close();
}
const rendererAdjoint = timing("renderer adjoint (in the step)", adjointMs);
const stepRenderAdjoint = timing(`render + renderer adjoint (in the step, ${stage.threads} threads)`, samples.render.map((r, i) => r + adjointMs[i]!));
const threeLines = [
  ratioLine(`render (in the step, ${stage.threads} threads) vs three.js`, partTimings.render, three),
  ratioLine("render (calling thread) vs three.js", syncRender, three),
  ratioLine(`renderer adjoint (in the step, ${stage.threads} threads) vs three.js`, rendererAdjoint, three),
  ratioLine(`render + renderer adjoint (in the step, ${stage.threads} threads) vs three.js`, stepRenderAdjoint, three),
  ratioLine("render + renderer adjoint (calling thread) vs three.js", syncFwdAdj, three),
  ratioLine(`render + renderer adjoint (in the step) vs the same on the calling thread`, stepRenderAdjoint, syncFwdAdj),
  ratioLine(`render + renderer adjoint (in the step, ${stage.threads} threads) vs the UNet call`, stepRenderAdjoint, unetOnly),
];

report("sds", {
  note: "tiny profile: seeded random graphs; outputs are test signals, not faces. Times measure plumbing + our JS.",
  size: SIZE,
  normalMapSize: NORMAL_MAP,
  renderVertices: split.source.length,
  triangles: split.triangles.length / 3,
  steps: STEPS,
  partsMs: Object.fromEntries(parts.map((p) => [p, partTimings[p].medianMs])),
  shares: Object.fromEntries(parts.map((p) => [p, partTimings[p].medianMs / total])),
  totalMs: total,
  vaeEncoderVjpMs: median(vaeVjpMs),
  rendererAdjointMs: median(adjointMs),
  renderer: { threads: stage.threads, bands: stage.bands, renderAndAdjointInStep: stepRenderAdjoint },
  callingThread: { render: syncRender, renderAndAdjoint: syncFwdAdj },
  threeJs: three,
  loadAverage: { before: loadBefore, after: loadavg() },
  unetOnly,
  unetWeb,
  ratios: [...ratios, webLine, ...threeLines],
});
