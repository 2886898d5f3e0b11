// Ranks a pool against a prompt (Eq. 3): CLIP text embedding of the prompt, then the engine's
// ranking over every candidate (split across worker threads for big pools).
import { tokenize } from "../clip/merges.js";
import { createNodeBackend } from "../models/backend-node.js";
import { clipTextEmbed } from "../../src/engine/models/text.js";
import { asFloat32 } from "../../src/engine/models/tensor.js";
import type { Backend } from "../../src/engine/models/backend.js";
import { rankPool } from "../../src/engine/stages/geometry/rank.js";
import { ParallelRanker } from "./rank-parallel.js";
import type { LoadedPool } from "./pool-read.js";

export interface RankedCandidate {
  rank: number;
  index: number;
  score: number;
  sd: number;
  sr: number;
}

export interface PoolRanking {
  prompt: string;
  lambdaD: number;
  lambdaR: number;
  top: RankedCandidate[];
  textEmbedding: Float32Array;
  /** Per-candidate s_d and s_r over the whole pool (for score distributions). */
  sd: Float32Array;
  sr: Float32Array;
  ms: number;
}

/** Pools at least this large are ranked on worker threads (load them with `loadPool(dir, {wasm: true})`). */
export const PARALLEL_FROM = 200_000;

export async function rankPrompt(
  pool: LoadedPool,
  prompt: string,
  { lambdaD = 1, lambdaR = 1, k = 10, backend }: { lambdaD?: number; lambdaR?: number; k?: number; backend?: Backend } = {},
): Promise<PoolRanking> {
  const be = backend ?? (await createNodeBackend({ profile: pool.spec.profile }));
  try {
    const text = asFloat32(await clipTextEmbed(be, tokenize(prompt)));
    const anchors = { meshImage: Float32Array.from(pool.anchors.meshImage), text: Float32Array.from(pool.anchors.text) };
    const t0 = performance.now();
    const { dim, size } = pool.spec;
    if (size >= PARALLEL_FROM) {
      const ranker = await ParallelRanker.create(pool.wasm ?? pool.embeddings, dim, anchors.meshImage);
      try {
        const best = await ranker.rank(text, anchors, { lambdaD, lambdaR, k });
        const { sd, sr } = ranker.parts;
        const top = Array.from(best.index, (index, r) => ({ rank: r + 1, index, score: best.score[r]!, sd: sd[index]!, sr: sr[index]! }));
        return { prompt, lambdaD, lambdaR, top, textEmbedding: text, sd: sd.slice(), sr: sr.slice(), ms: performance.now() - t0 };
      } finally {
        await ranker.close();
      }
    }
    const r = rankPool(pool.embeddings, dim, text, anchors, { lambdaD, lambdaR, k });
    const top = Array.from(r.index, (index, i) => ({ rank: i + 1, index, score: r.score[i]!, sd: r.sd[index]!, sr: r.sr[index]! }));
    return { prompt, lambdaD, lambdaR, top, textEmbedding: text, sd: r.sd, sr: r.sr, ms: performance.now() - t0 };
  } finally {
    if (!backend) await be.dispose();
  }
}
