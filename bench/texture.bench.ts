// The texture stage (paper Sec. 5) on the tiny profile at the paper's sizes: one latent step
// (64² latent render) and one image step (512² decode → render → encode and back), split by
// part, each part as a ratio of the generic UNet call measured in the same run (the peer:
// with real SD 1.5 weights the UNet dominates, so the ratios say what our own code costs in
// UNet units). Plus the PBR tail at 4096²: resampling, the tiny SR model and PNG encoding.
// TEXTURE_BENCH_PBR=0 skips the 4096² part.
import { time, report, ratioLine, type Timing } from "./lib.js";
import { createNodeBackend } from "../data-loaders/models/backend-node.js";
import { tokenize } from "../data-loaders/clip/merges.js";
import { meanFaceGeometry } from "../data-loaders/texture/geometry-input.js";
import { encodePng16, encodePng8 } from "../data-loaders/io/png.js";
import { parseTextureConfig } from "../src/engine/stages/texture/config.js";
import { createTextureModels } from "../src/engine/stages/texture/guidance.js";
import { createTextureScene } from "../src/engine/stages/texture/scene.js";
import { syncRenderer } from "../src/engine/raster/parallel.js";
import { imageStep, latentStep } from "../src/engine/stages/texture/sds.js";
import { resample } from "../src/engine/stages/texture/resample.js";
import { Adam } from "../src/engine/optim/adam.js";
import { upscale } from "../src/engine/models/index.js";
import { tensor } from "../src/engine/models/tensor.js";
import { Rng } from "../src/engine/util/rng.js";

const backend = await createNodeBackend({ profile: "tiny" });
const prompt = "the face of an old man with deep wrinkles";
const models = await createTextureModels(backend, { prompt: tokenize(prompt), empty: tokenize(""), texturePrompt: tokenize(prompt) });
const geo = await meanFaceGeometry(prompt);
// One thread, one band: the parts below re-run a kept view's adjoint after other renders, which a
// ParallelRenderer (whose next frame reuses a result's memory) refuses.
const scene = createTextureScene(geo.scene, { renderer: syncRenderer });
const config = parseTextureConfig({});
// z is the stack of tile latents (face | head and neck, README "UV atlas"); decode and its VJP run once per tile.
const N = 64 * 64 * 4;
const z = new Rng(1).normals(N * scene.tiles).map((v) => v * 0.5);
const zFace = z.subarray(0, N);
const rng = () => Rng.derive(7, "bench");
const opts = { runs: 7, warmup: 2 };

// ---- latent step parts ----
const zr = await scene.latentView(z, 64, rng(), "random");
const noisyLatent = new Rng(2).normals(64 * 64 * 4);
const latentParts: Timing[] = [
  await time("render z → z^r (64²)", () => scene.latentView(z, 64, rng(), "random"), opts),
  await time("render adjoint", () => zr.backward(noisyLatent), opts),
  await time("generic UNet + CFG", () => models.genericEps(noisyLatent, 500, 100), opts),
  await time("texture UNet + CFG", () => models.textureEps(noisyLatent, 500, 7.5), opts),
  await time("Adam update", () => new Adam(z.length).step(z.slice(), new Rng(2).normals(z.length), 0.1), opts),
];
const inputs = (step: number) => ({ config, models, scene, seed: 3, step, stageStep: 0, stageSteps: 200, texturePath: true, t: 500 });
const latentWhole = await time("whole latent step", () => latentStep(inputs(0), z), opts);

// ---- image step parts ----
const diffuseFace = await models.decode(zFace);
const diffuse = new Float32Array(diffuseFace.length * scene.tiles);
for (let i = 0; i < scene.tiles; i++) diffuse.set(await models.decode(z.subarray(i * N, (i + 1) * N)), i * diffuseFace.length);
const view = await scene.imageView(diffuse, 512, rng(), "random");
const latentOfRender = await models.encode(view.image);
const dImage = new Rng(3).normals(512 * 512 * 3);
const imageParts: Timing[] = [
  await time(`decode D(z) 64² → 512², one tile (×${scene.tiles} per step)`, () => models.decode(zFace), opts),
  await time("render 512² (N_d, light)", () => scene.imageView(diffuse, 512, rng(), "random"), opts),
  await time("encode E(render)", () => models.encode(view.image), opts),
  await time("generic UNet + CFG", () => models.genericEps(latentOfRender, 500, 100), opts),
  await time("encoder VJP", () => models.encodeVjp(view.image, noisyLatent), opts),
  await time("render adjoint 512²", () => view.backward(dImage), opts),
  await time(`decoder VJP, one tile (×${scene.tiles} per step)`, () => models.decodeVjp(zFace, dImage), opts),
  await time("texture UNet + CFG", () => models.textureEps(noisyLatent, 500, 7.5), opts),
  await time("Adam update", () => new Adam(z.length).step(z.slice(), new Rng(2).normals(z.length), 0.02), opts),
];
const imageWhole = await time("whole image step", () => imageStep(inputs(1), z), { runs: 5, warmup: 1 });

function table(title: string, parts: Timing[], peer: Timing, whole: Timing) {
  console.log(`\n${title} (peer: ${peer.name}, ${peer.medianMs.toFixed(2)} ms)`);
  const lines = parts.map((p) => ratioLine(`  ${p.name}`, p, peer));
  const sum = parts.reduce((s, p) => s + p.medianMs, 0);
  // Parts are timed alone with warm caches; on a busy machine the whole step can exceed their sum.
  console.log(`  whole step ${whole.medianMs.toFixed(1)} ms (parts, timed one by one: ${sum.toFixed(1)} ms)`);
  return { parts: parts.map((p) => ({ ...p, ratioToUnet: p.medianMs / peer.medianMs })), whole, lines };
}
const latent = table("latent step", latentParts, latentParts[2]!, latentWhole);
const image = table("image step", imageParts, imageParts[3]!, imageWhole);

// ---- PBR tail at 4096² ----
let pbr: Record<string, unknown> | undefined;
if (process.env.TEXTURE_BENCH_PBR !== "0") {
  const map512 = diffuseFace.map((v) => Math.min(1, Math.max(0, v)));
  const one = { runs: 1, warmup: 0 };
  const lanczos = await time("lanczos3 512² → 4096²", () => resample(map512, 512, 512, 3, 4096, 4096, "lanczos3"), one);
  const bicubic = await time("bicubic 512² → 4096²", () => resample(map512, 512, 512, 3, 4096, 4096, "bicubic"), one);
  const pre = resample(map512, 512, 512, 3, 1024, 1024, "lanczos3");
  const sr = await time("tiny SR model 1024² → 4096²", () => upscale(backend, tensor("float32", pre, [1, 3, 1024, 1024])), one);
  const big = resample(map512, 512, 512, 3, 4096, 4096, "lanczos3").map((v) => Math.min(1, Math.max(0, v)));
  const png8 = await time("PNG 8-bit 4096²", () => encodePng8(big, 4096, 4096), one);
  const png16 = await time("PNG 16-bit 4096²", () => encodePng16(big, 4096, 4096), one);
  const down = await time("lanczos3 4096² → 2048² (glb)", () => resample(big, 4096, 4096, 3, 2048, 2048, "lanczos3"), one);
  console.log("\nPBR tail at 4096² (peer: the 8-bit PNG encode)");
  for (const t of [lanczos, bicubic, sr, png16, down]) ratioLine(`  ${t.name}`, t, png8);
  pbr = { lanczos, bicubic, sr, png8, png16, down };
}

report("texture", { profile: "tiny", label: "tiny profile — test signal, not a face", latentStep: latent, imageStep: image, pbr4096: pbr ?? null });
await backend.dispose();
