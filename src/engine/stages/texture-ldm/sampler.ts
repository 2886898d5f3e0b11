/**
 * Sampling a trained texture LDM for the Fig. 13 protocol, as a Resumable: one step = one batch
 * of DDIM samples WITHOUT classifier-free guidance (ε̂ of the conditional branch alone), from
 * noise drawn by Rng.derive(seed, variant, batch). Each variant conditions as it was trained:
 * mask B filled with ones (no region marked non-face, paper Sec. 5.1.2) when it has the
 * channel, and Q(T, C_d) when it learned tokens, else T. Captions T cycle through `captions`.
 * The state holds the clean latents so far.
 */
import { ddimSample } from "../../diffusion/ddim.js";
import type { DdpmSchedule } from "../../diffusion/schedule.js";
import type { ModelSession } from "../../models/backend.js";
import { expectArray, RestoreMismatchError, type Resumable, type ResumableState, type StepRow } from "../../run/resumable.js";
import { Rng } from "../../util/rng.js";
import type { LdmConditioning } from "./conditioning.js";
import type { ParamSlot } from "./graphs.js";
import { epsWith, withMask } from "./unet-feeds.js";
import { VARIANT_SPECS, type LdmVariant } from "./variants.js";

export interface LdmSampleConfig {
  variant: LdmVariant;
  count: number;
  batch: number;
  ddimSteps: number;
  seed: number;
  h: number;
  w: number;
}

export interface TrainedLdm {
  params: readonly ParamSlot[];
  weights: Float32Array;
  /** [C_d ‖ C_u] or empty. */
  tokens: Float32Array;
  channels: number;
}

export class LdmSampler implements Resumable {
  readonly total: number;
  step = 0;
  latents: Float32Array;

  constructor(
    private readonly forward: ModelSession,
    private readonly model: TrainedLdm,
    private readonly cond: LdmConditioning,
    private readonly captions: readonly Int32Array[],
    private readonly schedule: DdpmSchedule,
    readonly config: LdmSampleConfig,
  ) {
    if (!captions.length) throw new Error("sampling needs at least one caption");
    this.total = Math.ceil(config.count / config.batch);
    this.latents = new Float32Array(config.count * 4 * config.h * config.w);
  }

  private async hidden(first: number, n: number): Promise<Float32Array> {
    const spec = VARIANT_SPECS[this.config.variant];
    const ids = Array.from({ length: n }, (_, i) => this.captions[(first + i) % this.captions.length]!);
    if (spec.tokens) {
      const cd = this.model.tokens.slice(0, this.model.tokens.length / 2);
      return (await this.cond.tokenHidden(ids.map((x) => ({ ids: x, vector: cd })))).hidden;
    }
    const hs = await Promise.all(ids.map((x) => this.cond.plainHidden(x)));
    const out = new Float32Array(hs.length * hs[0]!.length);
    hs.forEach((x, i) => out.set(x, i * x.length));
    return out;
  }

  async next(): Promise<StepRow> {
    const { variant, batch, count, ddimSteps, seed, h, w } = this.config;
    const first = this.step * batch;
    const n = Math.min(batch, count - first);
    const hw = h * w, C = this.model.channels;
    const rng = Rng.derive(seed, "texture-ldm-sample", variant, this.step);
    const hidden = await this.hidden(first, n);
    const ones = new Float32Array(hw).fill(1);
    const x0 = await ddimSample(this.schedule, {
      numSteps: ddimSteps,
      latents: rng.normals(n * 4 * hw),
      rng,
      predictEps: (x, t) => epsWith(this.forward, this.model.params, this.model.weights, { sample: withMask(x, ones, n, hw, C), dims: [n, C, h, w], t, hidden }),
    });
    this.latents.set(x0, first * 4 * hw);
    let s = 0;
    for (let i = 0; i < x0.length; i++) s += x0[i]! * x0[i]!;
    return { step: this.step++, rms: Math.sqrt(s / x0.length), samples: first + n };
  }

  state(): ResumableState {
    return { step: this.step, variant: this.config.variant, latents: this.latents.slice() };
  }

  restore(s: ResumableState): void {
    if (s.variant !== this.config.variant) throw new RestoreMismatchError(`variant ${String(s.variant)}, not ${this.config.variant}`);
    this.latents = expectArray(s, "latents", Float32Array, this.latents.length).slice();
    this.step = Number(s.step);
  }
}
