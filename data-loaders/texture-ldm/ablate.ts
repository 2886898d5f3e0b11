// `dreamface ablate texture-ldm`: the paper's Fig. 13 protocol in one command. Trains (or takes
// with --variants-dir) wo-mp, wo-prompt and full; samples --samples textures from each with
// DDIM and no classifier-free guidance; KID against the full dataset and against the desired
// domain over --subsets random subsets of the smaller set's size; kid.json + sample grids.
// Every phase runs through runLoop, so a killed run resumes, and one seed gives one kid.json.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Backend } from "../../src/engine/models/backend.js";
import { vaeDecode } from "../../src/engine/models/vae.js";
import { tensor } from "../../src/engine/models/tensor.js";
import { ddpmSchedule } from "../../src/engine/diffusion/schedule.js";
import { imageFeatures } from "../../src/engine/metrics/features.js";
import { kid } from "../../src/engine/metrics/kid.js";
import { resize } from "../../src/engine/image/resize.js";
import type { ImageF32 } from "../../src/engine/image/types.js";
import { nchwToHwc } from "../../src/engine/stages/texture/layout.js";
import { Rng } from "../../src/engine/util/rng.js";
import { LdmConditioning } from "../../src/engine/stages/texture-ldm/conditioning.js";
import { LdmSampler, type TrainedLdm } from "../../src/engine/stages/texture-ldm/sampler.js";
import { LDM_VARIANTS } from "../../src/engine/stages/texture-ldm/variants.js";
import { createNodeBackend } from "../models/backend-node.js";
import { tokenize } from "../clip/merges.js";
import { runLoop } from "../run/loop.js";
import { claimRunDir, newRunId } from "../run/run-dir.js";
import { profileLabel } from "../run/manifest.js";
import { resultsDir } from "../io/paths.js";
import { writeJsonAtomic } from "../io/atomic.js";
import { writePng } from "../io/png.js";
import { UserError } from "../cli/errors.js";
import { generateDataset, readDataset } from "./dataset-files.js";
import { defaultWeights, ldmSessions, modelSpace } from "./setup.js";
import { readModel, trainVariant } from "./train.js";
import { PAPER_FIG13_KID } from "../../src/engine/evaluation/paper.js";

/** The paper's Fig. 13 values (src/engine/evaluation/paper.ts): reference only, never recomputed. */
export { PAPER_FIG13_KID as PAPER_KID } from "../../src/engine/evaluation/paper.js";

/** The profile roles the protocol runs (text_encoder_embeds and token_embeddings are derived from text_encoder). */
const PROTOCOL_ROLES = ["kid_features", "text_encoder", "text_encoder_embeds", "texture_domain_tokens", "token_embeddings", "unet", "vae_decoder", "vae_encoder"] as const;

export interface AblateLdmOptions {
  profile: string;
  samples: number;
  subsets: number;
  seed: number;
  /** Dataset folder; default: generate one into <out>/data. */
  data?: string;
  out?: string;
  /** Folder with <variant>/model.json from `texture-ldm train`: skip training. */
  variantsDir?: string;
  steps: number;
  batch: number;
  ddimSteps: number;
  /** Items of a generated dataset. */
  count: number;
  lr: number;
  tokenLr: number;
  stopAfter?: number;
  quiet?: boolean;
}

export interface AblateLdmResult {
  dir: string;
  complete: boolean;
}

export function defaultAblationDir(): string {
  return join(resultsDir(), "ablations", "texture-ldm", newRunId());
}

export async function ablateTextureLdm(o: AblateLdmOptions): Promise<AblateLdmResult> {
  for (const [k, v] of Object.entries({ samples: o.samples, subsets: o.subsets, steps: o.steps, "ddim-steps": o.ddimSteps, batch: o.batch }))
    if (!Number.isInteger(v) || v < 1) throw new UserError(`--${k} must be a positive integer, got ${v}`);
  if (o.samples < 2) throw new UserError("--samples must be at least 2 (KID needs two rows per subset)");
  const dir = resolve(o.out ?? defaultAblationDir());
  const dataDir = o.data ? resolve(o.data) : join(dir, "data");
  if (!o.data && !existsSync(join(dataDir, "dataset.json"))) await generateDataset(dataDir, { count: o.count, seed: o.seed });
  const ds = readDataset(dataDir);
  const weights = defaultWeights(o.profile);
  claimRunDir(
    dir,
    JSON.stringify({ profile: o.profile, samples: o.samples, subsets: o.subsets, seed: o.seed, steps: o.steps, batch: o.batch, ddimSteps: o.ddimSteps, lr: o.lr, tokenLr: o.tokenLr, data: ds.hash, variantsDir: o.variantsDir ?? null }),
    "texture-ldm ablation",
    `profile ${o.profile}, ${o.samples} samples, seed ${o.seed}`,
  );
  const backend = await createNodeBackend({ profile: o.profile });
  try {
    const data = await modelSpace(backend, ds);
    const cond = new LdmConditioning(backend);
    const captions = [...new Set(ds.items.filter((it) => it.domain === "desired").map((it) => it.caption))].map((c) => tokenize(c));
    const schedule = ddpmSchedule();
    let budget = o.stopAfter;
    const spend = (ran: number) => (budget = budget === undefined ? undefined : budget - ran);
    const hashes: Record<string, string> = {};
    const latents: Record<string, Float32Array> = {};
    for (const v of LDM_VARIANTS) {
      let model: TrainedLdm & { hash: string };
      let forward;
      if (o.variantsDir) {
        const sessions = await ldmSessions(backend, v, weights);
        model = readModel(join(resolve(o.variantsDir), v), v, sessions);
        forward = sessions.forward;
      } else {
        const r = await trainVariant(backend, data, { dir: join(dir, "variants", v), variant: v, steps: o.steps, batch: o.batch, seed: o.seed, lr: o.lr, tokenLr: o.tokenLr, weights, dataHash: ds.hash, stopAfter: budget, quiet: o.quiet });
        spend(r.ran);
        if (!r.complete) return { dir, complete: false };
        model = r.model!;
        forward = r.sessions.forward;
      }
      hashes[v] = model.hash;
      const sampler = new LdmSampler(forward, model, cond, captions, schedule, { variant: v, count: o.samples, batch: 16, ddimSteps: o.ddimSteps, seed: o.seed, h: data.h, w: data.w });
      const r = await runLoop(sampler, { dir: join(dir, "samples", v), label: `sampling ${v}`, checkpointEvery: 1, stopAfter: budget, quiet: o.quiet });
      spend(r.ran);
      if (!r.complete) return { dir, complete: false };
      latents[v] = sampler.latents;
    }

    const label = profileLabel(o.profile);
    const refAll = await imageFeatures(backend, ds.items.map((it) => ({ data: it.image, width: ds.size, height: ds.size, channels: 3 })));
    const desiredRows = ds.items.flatMap((it, i) => (it.domain === "desired" ? [i] : []));
    const refDesired = rowsOf(refAll.data, refAll.dim, desiredRows);
    const variants: Record<string, { full: { mean: number; std: number }; desired: { mean: number; std: number } }> = {};
    for (const v of LDM_VARIANTS) {
      const images = await decode(backend, latents[v]!, o.samples, data.h, data.w);
      writeGrid(join(dir, `samples-${v}.png`), images, label);
      const f = await imageFeatures(backend, images);
      const score = (ref: Float32Array, rows: number, what: string) => {
        const size = Math.min(o.samples, rows);
        const r = kid(f.data, ref, f.dim, { subsets: o.subsets, subsetSize: size, rng: Rng.derive(o.seed, "texture-ldm-kid", v, what) });
        return { mean: r.mean, std: r.std };
      };
      variants[v] = { full: score(refAll.data, ds.items.length, "full"), desired: score(refDesired, desiredRows.length, "desired") };
    }
    // Every role the protocol uses, opened here so a resumed process (which may skip phases) hashes the same set.
    for (const role of PROTOCOL_ROLES) await backend.session(role);
    const all = backend.modelHashes();
    const modelHashes = Object.fromEntries(PROTOCOL_ROLES.map((r) => [r, all[r]]));
    writeJsonAtomic(join(dir, "kid.json"), {
      protocol: {
        ...(label ? { label } : {}),
        samples: o.samples,
        subsets: o.subsets,
        subsetSize: { full: Math.min(o.samples, ds.items.length), desired: Math.min(o.samples, desiredRows.length) },
        seed: o.seed,
        profile: o.profile,
        guidance: "none (conditional ε̂ only, no classifier-free guidance)",
        sampler: `DDIM, ${o.ddimSteps} steps, η = 0`,
        training: { steps: o.steps, batch: o.batch, lr: o.lr, tokenLr: o.tokenLr, trainedWeights: weights.source, ...(o.variantsDir ? { from: "--variants-dir" } : {}) },
        dataset: { sha256: ds.hash, size: ds.size, count: ds.items.length, desired: desiredRows.length, undesired: ds.items.length - desiredRows.length },
        kidFeatures: `kid_features role, ${refAll.dim}-d`,
        modelHashes,
        variantHashes: hashes,
      },
      variants,
      paper: PAPER_FIG13_KID,
    });
    return { dir, complete: true };
  } finally {
    await backend.dispose();
  }
}

function rowsOf(data: Float32Array, dim: number, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => out.set(data.subarray(r * dim, (r + 1) * dim), i * dim));
  return out;
}

/** Latents [n·4·h·w] → images in [0,1] through the VAE decoder, 16 at a time. */
async function decode(backend: Backend, latents: Float32Array, n: number, h: number, w: number): Promise<ImageF32[]> {
  const out: ImageF32[] = [];
  const L = 4 * h * w;
  for (let i = 0; i < n; i += 16) {
    const k = Math.min(16, n - i);
    const img = await vaeDecode(backend, tensor("float32", latents.slice(i * L, (i + k) * L), [k, 4, h, w]));
    const [, , H, W] = img.dims as [number, number, number, number];
    const d = img.data as Float32Array;
    for (let b = 0; b < k; b++) {
      const hwc = nchwToHwc(d.subarray(b * 3 * H * W, (b + 1) * 3 * H * W), H, W, 3);
      for (let j = 0; j < hwc.length; j++) hwc[j] = Math.min(1, Math.max(0, (hwc[j]! + 1) / 2));
      out.push({ data: hwc, width: W, height: H, channels: 3 });
    }
  }
  return out;
}

/** The first 64 samples, 8 per row, at most 64 px each. */
function writeGrid(path: string, images: readonly ImageF32[], label: string | undefined): void {
  const shown = images.slice(0, 64);
  const t = Math.min(64, shown[0]!.width), cols = Math.min(8, shown.length), rows = Math.ceil(shown.length / cols);
  const grid = new Float32Array(cols * t * rows * t * 3).fill(1);
  shown.forEach((im, i) => {
    const s = im.width === t && im.height === t ? im : resize(im, t, t);
    const ox = (i % cols) * t, oy = Math.floor(i / cols) * t;
    for (let y = 0; y < t; y++) grid.set(s.data.subarray(y * t * 3, (y + 1) * t * 3), ((oy + y) * cols * t + ox) * 3);
  });
  writePng(path, grid, cols * t, rows * t, { label });
}
