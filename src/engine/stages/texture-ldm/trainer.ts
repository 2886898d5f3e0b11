/**
 * Texture-LDM training (paper Sec. 5.1, Eq. 9) as a Resumable: each step draws a batch, one
 * timestep and noise from Rng.derive(seed, variant, step) (so a resumed run draws the same),
 * noises the latents, and minimises ‖ε − ε̂(x_t ‖ B, t, τ(T or Q(T, C)))‖² (mean over elements).
 * Gradients: the VJP graph of the weights-as-inputs UNet (graphs.ts) w.r.t. the trained
 * weights and, for the full variant, w.r.t. the hidden states, pulled back through the text
 * encoder's VJP to the learned vectors C_d / C_u at their slot. Two Adam groups (weights, tokens).
 */
import { Adam } from "../../optim/adam.js";
import { addNoise } from "../../diffusion/noise.js";
import type { DdpmSchedule } from "../../diffusion/schedule.js";
import type { ModelSession } from "../../models/backend.js";
import { conform, pick } from "../../models/adapt.js";
import { asFloat32, tensor } from "../../models/tensor.js";
import { expectArray, RestoreMismatchError, type Resumable, type ResumableState, type StepRow } from "../../run/resumable.js";
import { Rng } from "../../util/rng.js";
import { HIDDEN_LEN, type LdmConditioning } from "./conditioning.js";
import type { LdmData } from "./data.js";
import type { TrainGraphs } from "./graphs.js";
import { unetFeeds, withMask } from "./unet-feeds.js";
import { VARIANT_SPECS, type LdmVariant } from "./variants.js";

export interface LdmTrainConfig {
  variant: LdmVariant;
  steps: number;
  batch: number;
  seed: number;
  /** Adam learning rate of the UNet weights. */
  lr: number;
  /** Adam learning rate of C_d, C_u. */
  tokenLr: number;
}

export interface LdmTrainSessions {
  forward: ModelSession;
  vjp: ModelSession;
  /** VJP of the text encoder on embeddings (full variant only). */
  textVjp?: ModelSession;
}

export class LdmTrainer implements Resumable {
  readonly total: number;
  step = 0;
  weights: Float32Array;
  /** [C_d ‖ C_u], each D wide (full variant; empty otherwise). */
  tokens: Float32Array;
  private adam: Adam;
  private adamTokens: Adam;

  constructor(
    private readonly sessions: LdmTrainSessions,
    private readonly graphs: TrainGraphs,
    private readonly cond: LdmConditioning,
    private readonly data: LdmData,
    private readonly schedule: DdpmSchedule,
    readonly config: LdmTrainConfig,
    initTokens: Float32Array = new Float32Array(0),
  ) {
    if (data.items.length < 1) throw new Error("texture-LDM training needs at least one item");
    if (VARIANT_SPECS[config.variant].tokens && !(initTokens.length > 0 && initTokens.length % 2 === 0 && sessions.textVjp))
      throw new Error("the full variant needs initial C_d, C_u and the text encoder's VJP");
    this.total = config.steps;
    this.weights = graphs.init.slice();
    this.tokens = VARIANT_SPECS[config.variant].tokens ? initTokens.slice() : new Float32Array(0);
    this.adam = new Adam(this.weights.length);
    this.adamTokens = new Adam(this.tokens.length);
  }

  async next(): Promise<StepRow> {
    const { variant, batch: B, seed } = this.config;
    const spec = VARIANT_SPECS[variant];
    const { h, w, items } = this.data;
    const hw = h * w, L = 4 * hw, C = this.graphs.channels;
    const rng = Rng.derive(seed, "texture-ldm-train", variant, this.step);
    const picks = Array.from({ length: B }, () => items[rng.int(0, items.length - 1)]!);
    const t = rng.int(0, this.schedule.trainSteps - 1);
    const noise = rng.normals(B * L);
    const noisy = new Float32Array(B * L);
    picks.forEach((it, b) => addNoise(this.schedule, it.latent, noise.subarray(b * L, (b + 1) * L), t, noisy.subarray(b * L, (b + 1) * L)));
    const sample = withMask(noisy, picks.map((it) => it.mask), B, hw, C);

    const D = this.tokens.length / 2;
    let hidden: Float32Array;
    let tok: Awaited<ReturnType<LdmConditioning["tokenHidden"]>> | undefined;
    if (spec.tokens) {
      tok = await this.cond.tokenHidden(picks.map((it) => ({ ids: it.ids, vector: this.vector(it.domain) })));
      hidden = tok.hidden;
    } else {
      const hs = await Promise.all(picks.map((it) => this.cond.plainHidden(it.ids)));
      hidden = new Float32Array(hs.reduce((a, x) => a + x.length, 0));
      let o = 0;
      for (const x of hs) hidden.set(x, (o += x.length) - x.length);
    }
    const call = { sample, dims: [B, C, h, w] as const, t, hidden };
    const eps = asFloat32(pick(await this.sessions.forward.run(unetFeeds(this.sessions.forward, this.graphs.params, this.weights, call)), "texture-ldm", "out_sample"));
    const N = eps.length;
    const gOut = new Float32Array(N);
    let loss = 0;
    for (let i = 0; i < N; i++) {
      const d = eps[i]! - noise[i]!;
      loss += d * d;
      gOut[i] = (2 * d) / N;
    }
    loss /= N;
    const grads = await this.sessions.vjp.run(unetFeeds(this.sessions.vjp, this.graphs.params, this.weights, call, { grad_out_sample: tensor("float32", gOut, [B, 4, h, w]) }));
    const g = new Float32Array(this.weights.length);
    for (const p of this.graphs.params) g.set(asFloat32(grads[`grad_${p.name}`]!), p.offset);
    const gradNorm = norm(g);
    const lr = this.config.lr;
    this.adam.step(this.weights, g, lr);

    let tokenGradNorm: number | null = null;
    if (spec.tokens && tok) {
      const gh = asFloat32(grads.grad_encoder_hidden_states!);
      const tv = this.sessions.textVjp!;
      const ge = asFloat32(
        pick(
          await tv.run(conform(tv, { input_ids: tensor("int32", tok.ids, [B, HIDDEN_LEN]), inputs_embeds: tensor("float32", tok.embeds, [B, HIDDEN_LEN, D]), grad_last_hidden_state: tensor("float32", gh, [B, HIDDEN_LEN, gh.length / (B * HIDDEN_LEN)]) })),
          "text_encoder_embeds_vjp",
          "grad_inputs_embeds",
        ),
      );
      const gt = new Float32Array(2 * D);
      picks.forEach((it, b) => {
        const o = it.domain === "desired" ? 0 : D;
        for (let k = 0; k < D; k++) gt[o + k]! += ge[(b * HIDDEN_LEN + tok!.at[b]!) * D + k]!;
      });
      tokenGradNorm = norm(gt);
      this.adamTokens.step(this.tokens, gt, this.config.tokenLr);
    }
    const row: StepRow = { step: this.step, loss, t, grad_norm: gradNorm, token_grad_norm: tokenGradNorm, lr };
    this.step++;
    return row;
  }

  /** C_d (desired) or C_u (undesired). */
  vector(domain: "desired" | "undesired"): Float32Array {
    const D = this.tokens.length / 2;
    return domain === "desired" ? this.tokens.slice(0, D) : this.tokens.slice(D);
  }

  state(): ResumableState {
    return {
      step: this.step,
      variant: this.config.variant,
      weights: this.weights.slice(),
      m: this.adam.state.m.slice(),
      v: this.adam.state.v.slice(),
      adamStep: this.adam.state.step,
      tokens: this.tokens.slice(),
      tm: this.adamTokens.state.m.slice(),
      tv: this.adamTokens.state.v.slice(),
      tokenStep: this.adamTokens.state.step,
    };
  }

  restore(s: ResumableState): void {
    if (s.variant !== this.config.variant) throw new RestoreMismatchError(`variant ${String(s.variant)}, not ${this.config.variant}`);
    const n = this.weights.length, k = this.tokens.length;
    this.weights = expectArray(s, "weights", Float32Array, n).slice();
    this.adam.state = { step: Number(s.adamStep), m: expectArray(s, "m", Float32Array, n).slice(), v: expectArray(s, "v", Float32Array, n).slice() };
    this.tokens = expectArray(s, "tokens", Float32Array, k).slice();
    this.adamTokens.state = { step: Number(s.tokenStep), m: expectArray(s, "tm", Float32Array, k).slice(), v: expectArray(s, "tv", Float32Array, k).slice() };
    this.step = Number(s.step);
  }
}

function norm(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s);
}
