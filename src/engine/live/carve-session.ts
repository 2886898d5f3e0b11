/**
 * Detail carving set up from injected pieces, so the page's Web Worker (onnxruntime-web) and
 * Node (tests, onnxruntime-node) build exactly what `dreamface geometry` builds: rank the pool
 * with the prompt's CLIP embedding (Eq. 3), take the best β*, encode the prompt and "" for the
 * SDS guide, and make the Carver. The carving config object is shared with a LiveControls, so
 * a control set between steps is what the next step reads.
 */
import type { Backend } from "../models/backend.js";
import { asFloat32 } from "../models/tensor.js";
import { clipTextEmbed, encodeText } from "../models/text.js";
import type { FaceModel } from "../face/types.js";
import { seamSplit } from "../face/seam.js";
import { rankPool } from "../stages/geometry/rank.js";
import { backendGuide } from "../stages/geometry/guide.js";
import { Carver, type ResolvedCarvingConfig } from "../stages/geometry/carve.js";
import type { Experiment } from "../config/experiment.js";
import { LiveControls } from "./controls.js";

/** A merged candidate pool: CLIP embeddings and identity codes per candidate, plus the anchors. */
export interface LivePool {
  dim: number;
  identityCount: number;
  embeddings: Float32Array;
  betas: Float32Array;
  anchors: { meshImage: Float32Array; text: Float32Array };
}

export interface CarveSessionInput {
  experiment: Experiment;
  /** Render and N_d sizes resolved for the profile (data-loaders/geometry/run.ts resolveCarving). */
  carving: ResolvedCarvingConfig;
  backend: Backend;
  tokenize: (text: string) => Int32Array;
  model: FaceModel;
  pool: LivePool;
  encoderVjp: "graph" | "linear-approx";
}

export interface CarveSession {
  carver: Carver;
  controls: LiveControls;
  betaStar: Float32Array;
  coarseIndex: number;
}

export async function createCarveSession(input: CarveSessionInput): Promise<CarveSession> {
  const { experiment, backend, tokenize, model, pool } = input;
  const prompt = experiment.prompt?.trim();
  if (!prompt) throw new Error("the prompt is empty");
  const { ranking } = experiment.geometry;
  const text = asFloat32(await clipTextEmbed(backend, tokenize(prompt)));
  const ranked = rankPool(pool.embeddings, pool.dim, text, pool.anchors, { lambdaD: ranking.lambdaDirect, lambdaR: ranking.lambdaRelative, k: ranking.topK });
  const coarseIndex = ranked.index[0]!;
  const K = pool.identityCount;
  const betaStar = pool.betas.slice(coarseIndex * K, (coarseIndex + 1) * K);
  const [cond, uncond] = await Promise.all([encodeText(backend, tokenize(prompt)), encodeText(backend, tokenize(""))]);
  const guide = backendGuide(backend, { cond: cond.hiddenStates, uncond: uncond.hiddenStates }, { encoderVjp: input.encoderVjp });
  // One object: the Carver reads it every step, the controls write it between steps.
  const config = { ...input.carving };
  const carver = new Carver({ model, split: seamSplit(model, "dreamface"), betaStar, config, seed: experiment.seed, guide });
  const controls = new LiveControls(config as unknown as Record<string, unknown>);
  return { carver, controls, betaStar, coarseIndex };
}
