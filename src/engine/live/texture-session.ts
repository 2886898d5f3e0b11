/**
 * Latent-space texture SDS (paper Sec. 5.2.1) set up from injected pieces, so the page's Web
 * Worker (onnxruntime-web) and Node (tests) build exactly what `dreamface texture` builds on a
 * geometry run: the TextureModels on P, "" and Q(P, C_d), the scene of T† with N_d, and the
 * TextureOptimizer. Its texture config object is shared with a LiveControls, so a control set
 * between steps is what the next step reads.
 */
import type { Backend } from "../models/backend.js";
import type { SeamSplitMesh } from "../face/types.js";
import { createTextureModels } from "../stages/texture/guidance.js";
import { texturePromptText, variantPlan, type TextureConfig } from "../stages/texture/config.js";
import { createTextureScene, type TextureSceneMesh } from "../stages/texture/scene.js";
import { TextureOptimizer } from "../stages/texture/optimizer.js";
import type { TextureModels } from "../stages/texture/seams.js";
import { latentPreview } from "../stages/texture/linear-rgb.js";
import { resample } from "../stages/texture/resample.js";
import { LiveControls, TEXTURE_CONTROLS } from "./controls.js";
import { stageRenderer } from "../raster/parallel.js";

export interface TextureSessionInput {
  prompt: string;
  /** The geometry run's seed (the CLI textures with it). */
  seed: number;
  /** The texture section as the CLI resolves it for the profile (variant and VAE gradient honoured). */
  texture: TextureConfig;
  vaeGradient: "exact" | "linear-approx";
  backend: Backend;
  tokenize: (text: string) => Int32Array;
  scene: TextureSceneMesh;
}

export interface TextureSession {
  optimizer: TextureOptimizer;
  models: TextureModels;
  controls: LiveControls;
}

/**
 * The scene `dreamface texture` reads back from a geometry run: T† goes through carved.obj,
 * whose coordinates have 7 significant digits (src/engine/export/obj.ts), so the live scene
 * rounds the same way to texture the very mesh the CLI will; N_d travels as raw float32.
 */
export function carvedTextureScene(split: SeamSplitMesh, carved: Float32Array, nd: { data: Float32Array; width: number; height: number }): TextureSceneMesh {
  const positions = Float32Array.from(carved, (v) => Number(v.toPrecision(7)));
  return { positions, triangles: split.triangles, uv: split.uv, source: split.source, tiles: split.tiles, detailNormalMap: nd };
}

export async function createTextureSession(input: TextureSessionInput): Promise<TextureSession> {
  const { texture, backend, tokenize } = input;
  const prompt = input.prompt.trim();
  if (!prompt) throw new Error("the prompt is empty");
  // One object: the optimizer reads it every step, the controls write it between steps.
  const config = structuredClone(texture);
  const plan = variantPlan(config);
  const models = await createTextureModels(
    backend,
    { prompt: tokenize(prompt), empty: tokenize(""), texturePrompt: tokenize(texturePromptText(prompt, config)) },
    { textureNegative: config.textureNegative, latentSize: 64, vaeGradient: input.vaeGradient, texturePath: plan.texturePath },
  );
  const scene = createTextureScene(input.scene, { azimuthRange: config.azimuthRange, renderer: stageRenderer(config.renderBands) });
  const optimizer = new TextureOptimizer({ config, models, scene, seed: input.seed });
  const controls = new LiveControls(config as unknown as Record<string, unknown>, TEXTURE_CONTROLS);
  return { optimizer, models, controls };
}

/** Side of the decoded face tile the live page shows (the decoder's 512² would be 3 MB a frame). */
export const PREVIEW_SIDE = 128;

/**
 * What the live page shows of z: the face tile through the published linear latent→RGB
 * factors (an approximation, labelled so) and through the VAE decoder, reduced to PREVIEW_SIDE.
 */
export async function textureSnapshot(optimizer: TextureOptimizer, models: TextureModels) {
  const tile = optimizer.tile(0);
  const latent = latentPreview(tile);
  const diffuse = await models.decode(tile);
  const side = Math.round(Math.sqrt(diffuse.length / 3));
  const s = Math.min(side, PREVIEW_SIDE);
  return { step: optimizer.step, latent, latentSize: models.latentSize, diffuse: s === side ? diffuse : resample(diffuse, side, side, 3, s, s, "lanczos3"), diffuseSize: s };
}
