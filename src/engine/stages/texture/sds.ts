/**
 * One optimization step of each texture stage, returning dL/dz and what to log.
 *
 * Latent space (Sec. 5.2.1, Eq. 10–12): the generic path renders z as a 4-channel texture
 * (z^r), noises it, asks the generic UNet for ε̂ and pulls w(t)(ε̂ − ε) back through the
 * renderer; the texture path noises z itself and asks the texture UNet. Both share t.
 * Image space (Eq. 13–14): the generic path decodes z, renders it with N_d under a random
 * light, encodes the render and pulls the SDS gradient back through E, the renderer and D.
 *
 * z is a tile stack (seams.ts): tile 0 the paper's face latent, then one latent per further UV
 * tile of the mesh (ICT's head and neck), decoded by the same VAE. The generic path renders
 * every tile, so its gradients reach the neck and scalp; the texture path scores the face
 * tile only, as in the paper (the texture LDM was trained on face-tile UV maps).
 * SDS gradients are used as is (no backprop through the UNet); the logged "loss" is the
 * usual surrogate ½‖w(t)(ε̂ − ε)‖², whose gradient w.r.t. the scored latent is that term.
 */
import { scheduleValue } from "../../config/schedule.js";
import { Rng } from "../../util/rng.js";
import { addNoise, ddpmSchedule, sdsGrad } from "../../diffusion/index.js";
import type { TextureConfig } from "./config.js";
import { axpy, l2norm } from "./layout.js";
import type { TextureModels, TextureScene } from "./seams.js";

export type SdsStage = "latent" | "image";

export interface StepInputs {
  config: TextureConfig;
  models: TextureModels;
  scene: TextureScene;
  /** Master seed of the run; each step derives its own stream from it. */
  seed: number;
  /** Global step (schedules are indexed by it) and the step within the stage with its length. */
  step: number;
  stageStep: number;
  stageSteps: number;
  /** Whether the texture LDM path runs (off in the "wo-texture" and "wo-lt" ablations). */
  texturePath: boolean;
  /** Integer diffusion timestep for this step (from the stage's timestep schedule). */
  t: number;
}

export interface StepOutput {
  grad: Float32Array;
  log: Record<string, number | string>;
}

const schedule = ddpmSchedule();

/** Noises `x0` at t, scores it, and returns w(t)(ε̂ − ε) and the surrogate loss. */
async function scorePath(x0: Float32Array, t: number, rng: Rng, weighting: TextureConfig["weighting"], eps: (noisy: Float32Array) => Promise<Float32Array>) {
  const noise = rng.normals(x0.length);
  const noisy = addNoise(schedule, x0, noise, t);
  const epsHat = await eps(noisy);
  const { grad: g, loss } = sdsGrad({ schedule, eps: epsHat, noise, t, weighting });
  return { g, loss };
}

/** The texture path (Eq. 11, second line): SDS of the texture UNet on the face tile of z. */
async function texturePathGrad(inputs: StepInputs, z: Float32Array, rng: Rng) {
  const { config, models, t, step } = inputs;
  const guidance = scheduleValue(config.guidanceTexture, step);
  return scorePath(faceTile(models, z), t, rng, config.weighting, (noisy) => models.textureEps(noisy, t, guidance));
}

/** Tile i of a latent stack (a view, not a copy). */
export function latentTile(models: Pick<TextureModels, "latentSize">, z: Float32Array, i: number): Float32Array {
  const n = models.latentSize * models.latentSize * 4;
  if (z.length % n !== 0) throw new Error(`texture latent has ${z.length} values, not a stack of ${models.latentSize}²×4 tiles`);
  return z.subarray(i * n, (i + 1) * n);
}

const faceTile = (models: Pick<TextureModels, "latentSize">, z: Float32Array) => latentTile(models, z, 0);

function lambdas(inputs: StepInputs) {
  const { config, step, texturePath } = inputs;
  return {
    lambdaG: scheduleValue(config.lambdaGeneric, step),
    lambdaT: texturePath ? scheduleValue(config.lambdaTexture, step) : 0,
  };
}

/** A differentiable map z ↦ the latent the generic UNet scores, with its transpose Jacobian. */
export interface GenericForward {
  scored: Float32Array;
  backward(g: Float32Array): Promise<Float32Array>;
  params: Record<string, number>;
}

/** Eq. 10: z^r = R(T†, z, c). The view (camera, background) is drawn from `rng`. */
export async function latentGenericForward(inputs: Pick<StepInputs, "config" | "scene">, z: Float32Array, rng: Rng): Promise<GenericForward> {
  const { config, scene } = inputs;
  const view = await scene.latentView(z, config.latent.renderSize, rng, config.background);
  return { scored: view.image, backward: (g) => view.backward(g), params: view.params };
}

/** Eq. 13–14: z^{Hr} = E(R(T†, N_d, D(z), c, l)); backward runs E's VJP, the renderer's adjoint, D's VJP. */
export async function imageGenericForward(inputs: Pick<StepInputs, "config" | "scene" | "models">, z: Float32Array, rng: Rng): Promise<GenericForward> {
  const { config, scene, models } = inputs;
  const tiles = Array.from({ length: scene.tiles }, (_, i) => latentTile(models, z, i));
  // D per tile, stacked: the same VAE decodes the face and the head latents.
  const decoded = await Promise.all(tiles.map((zi) => models.decode(zi)));
  const per = decoded[0]!.length;
  const diffuse = new Float32Array(per * tiles.length);
  decoded.forEach((d, i) => diffuse.set(d, i * per));
  const view = await scene.imageView(diffuse, config.image.renderSize, rng, config.background);
  const scored = await models.encode(view.image);
  return {
    scored,
    params: view.params,
    async backward(g) {
      const dImage = await models.encodeVjp(view.image, g);
      const dDiffuse = await view.backward(dImage);
      const out = new Float32Array(z.length);
      for (let i = 0; i < tiles.length; i++) out.set(await models.decodeVjp(tiles[i]!, dDiffuse.subarray(i * per, (i + 1) * per)), i * tiles[0]!.length);
      return out;
    },
  };
}

async function dualPathStep(stage: SdsStage, inputs: StepInputs, z: Float32Array): Promise<StepOutput> {
  const { config, models, seed, step, t } = inputs;
  const { lambdaG, lambdaT } = lambdas(inputs);
  const grad = new Float32Array(z.length);
  const log: Record<string, number | string> = { stage, t, lambda_g: lambdaG, lambda_tau: lambdaT };
  if (stage === "image") log.vae_gradient = models.vaeGradient;
  if (lambdaG !== 0) {
    const rng = Rng.derive(seed, "texture", "generic", step);
    const fwd = stage === "latent" ? await latentGenericForward(inputs, z, rng) : await imageGenericForward(inputs, z, rng);
    const guidance = scheduleValue(config.guidanceGeneric, step);
    const { g, loss } = await scorePath(fwd.scored, t, rng, config.weighting, (noisy) => models.genericEps(noisy, t, guidance));
    const dz = await fwd.backward(g);
    axpy(lambdaG, dz, grad);
    Object.assign(log, { loss_g: loss, grad_norm_g: l2norm(dz), guidance_g: guidance, ...prefixed("view_", fwd.params) });
    // The head tile's share: nonzero whenever the view sees the neck or scalp.
    if (inputs.scene.tiles > 1) log.grad_norm_g_head = l2norm(latentTile(models, dz, 1));
  }
  if (lambdaT !== 0) {
    const { g, loss } = await texturePathGrad(inputs, z, Rng.derive(seed, "texture", "texture", step));
    axpy(lambdaT, g, faceTile(models, grad));
    Object.assign(log, { loss_tau: loss, grad_norm_tau: l2norm(g), guidance_tau: scheduleValue(config.guidanceTexture, step) });
  }
  log.grad_norm = l2norm(grad);
  return { grad, log };
}

/** Latent-space dual-path step (Eq. 11–12): dL/dz for z `[h*w*4]`. */
export const latentStep = (inputs: StepInputs, z: Float32Array): Promise<StepOutput> => dualPathStep("latent", inputs, z);

/** Image-space dual-path step (Eq. 14 for the generic path, Eq. 11 for the texture path). */
export const imageStep = (inputs: StepInputs, z: Float32Array): Promise<StepOutput> => dualPathStep("image", inputs, z);

function prefixed(prefix: string, params: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [prefix + k, v]));
}
