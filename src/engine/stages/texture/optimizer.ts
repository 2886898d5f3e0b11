/**
 * The texture stage's optimization loop as a resumable state machine: z, Adam's moments and
 * the step index are the whole state (every step derives its randomness from (seed, step)),
 * so `state` / `restore` around a checkpoint reproduce an uninterrupted run exactly.
 * z is the stack of tile latents (seams.ts): the face tile the paper optimises, then the head
 * and neck tile(s) of the scene's atlas, all under one Adam (it is per element).
 */
import { scheduleValue } from "../../config/schedule.js";
import { Adam } from "../../optim/adam.js";
import { Rng } from "../../util/rng.js";
import { variantPlan, type TextureConfig } from "./config.js";
import { imageStep, latentStep, latentTile, type StepOutput } from "./sds.js";
import type { TextureModels, TextureScene } from "./seams.js";
import { textureTimestep } from "./timesteps.js";
import { expectArray, expectStep, RestoreMismatchError, type Resumable, type ResumableState, type StepRow } from "../../run/resumable.js";

export interface TextureOptimizerOptions {
  config: TextureConfig;
  models: TextureModels;
  scene: TextureScene;
  seed: number;
  /** Starting latent stack `[tiles*h*w*4]`; default: seeded normals × 0.5 (a neutral, low-contrast start). */
  init?: Float32Array;
}

export class TextureOptimizer implements Resumable {
  readonly config: TextureConfig;
  readonly latentSteps: number;
  readonly imageSteps: number;
  readonly texturePath: boolean;
  z: Float32Array;
  step = 0;
  private adam: Adam;

  constructor(private readonly opts: TextureOptimizerOptions) {
    this.config = opts.config;
    const plan = variantPlan(opts.config);
    this.latentSteps = plan.latentSteps;
    this.imageSteps = plan.imageSteps;
    this.texturePath = plan.texturePath;
    const n = opts.models.latentSize * opts.models.latentSize * 4 * opts.scene.tiles;
    if (opts.init && opts.init.length !== n) throw new Error(`texture init latent has ${opts.init.length} values, expected ${n}`);
    this.z = opts.init ? Float32Array.from(opts.init) : Rng.derive(opts.seed, "texture", "init").normals(n).map((v) => v * 0.5);
    this.adam = new Adam(n);
  }

  /** The latent of UV tile i (0: the face), a view into z. */
  tile(i: number): Float32Array {
    return latentTile(this.opts.models, this.z, i);
  }

  get total(): number {
    return this.latentSteps + this.imageSteps;
  }

  get done(): boolean {
    return this.step >= this.total;
  }

  /** Which stage the next step belongs to. */
  get stage(): "latent" | "image" {
    return this.step < this.latentSteps ? "latent" : "image";
  }

  /** Runs one step (latent steps first, then image steps); returns the trajectory row. */
  async next(): Promise<StepRow> {
    if (this.done) throw new Error("texture optimization already finished");
    const stage = this.stage;
    const stageStep = stage === "latent" ? this.step : this.step - this.latentSteps;
    const stageSteps = stage === "latent" ? this.latentSteps : this.imageSteps;
    const { config } = this;
    const t = textureTimestep(config, { latentSteps: this.latentSteps, imageSteps: this.imageSteps }, this.step, this.opts.seed);
    const inputs = { config, models: this.opts.models, scene: this.opts.scene, seed: this.opts.seed, step: this.step, stageStep, stageSteps, texturePath: this.texturePath, t };
    const out: StepOutput = stage === "latent" ? await latentStep(inputs, this.z) : await imageStep(inputs, this.z);
    const lr = scheduleValue(stage === "latent" ? config.latent.lr : config.image.lr, this.step);
    this.adam.step(this.z, out.grad, lr);
    const row = { step: this.step, stage_step: stageStep, lr, ...out.log };
    this.step++;
    return row;
  }

  state(): ResumableState {
    const s = this.adam.state;
    return { step: this.step, z: Float32Array.from(this.z), adamM: Float32Array.from(s.m), adamV: Float32Array.from(s.v), adamStep: s.step };
  }

  restore(state: ResumableState): void {
    const n = this.z.length;
    const z = expectArray(state, "z", Float32Array, n);
    const m = expectArray(state, "adamM", Float32Array, n);
    const v = expectArray(state, "adamV", Float32Array, n);
    const step = expectStep(state, this.total);
    const { adamStep } = state;
    if (typeof adamStep !== "number") throw new RestoreMismatchError(`"adamStep" is missing`);
    this.step = step;
    this.z = Float32Array.from(z);
    this.adam.state = { step: adamStep, m: Float32Array.from(m), v: Float32Array.from(v) };
  }
}
