// `dreamface texture-ldm train`: one variant's training through the one stage loop (runLoop):
// checkpoints, trajectory and resume after a kill come from there. On completion the folder
// holds model.json (variant, trained weight names and shapes, hashes) and weights.bin (the
// trained weights then [C_d ‖ C_u], float32 little-endian).
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Backend } from "../../src/engine/models/backend.js";
import { textureDomainTokens } from "../../src/engine/models/decoders.js";
import { tokenEmbeddings } from "../../src/engine/models/text.js";
import { tokenize } from "../clip/merges.js";
import { hasRole } from "../../src/engine/models/sessions.js";
import { ddpmSchedule } from "../../src/engine/diffusion/schedule.js";
import { LdmConditioning } from "../../src/engine/stages/texture-ldm/conditioning.js";
import type { LdmData } from "../../src/engine/stages/texture-ldm/data.js";
import { LdmTrainer, type LdmTrainConfig } from "../../src/engine/stages/texture-ldm/trainer.js";
import type { TrainedLdm } from "../../src/engine/stages/texture-ldm/sampler.js";
import { VARIANT_SPECS } from "../../src/engine/stages/texture-ldm/variants.js";
import { runLoop } from "../run/loop.js";
import { claimRunDir } from "../run/run-dir.js";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.js";
import { sha256 } from "../io/hash.js";
import { UserError } from "../cli/errors.js";
import { defaultWeights, ldmSessions, modelSpace, type LdmSessions } from "./setup.js";
import { readDataset } from "./dataset-files.js";
import { ldmDefaults } from "./defaults.js";
import { createNodeBackend } from "../models/backend-node.js";
import { createRunDir } from "../run/run-dir.js";

export interface TrainOptions extends LdmTrainConfig {
  dir: string;
  weights: RegExp;
  /** Identity of the data (dataset hash) for the run-config claim. */
  dataHash: string;
  stopAfter?: number;
  quiet?: boolean;
}

export interface TrainResult {
  complete: boolean;
  ran: number;
  model?: TrainedLdm & { hash: string };
  sessions: LdmSessions;
}

export async function trainVariant(backend: Backend, data: LdmData, o: TrainOptions): Promise<TrainResult> {
  const { dir, variant } = o;
  const config: LdmTrainConfig = { variant, steps: o.steps, batch: o.batch, seed: o.seed, lr: o.lr, tokenLr: o.tokenLr };
  const release = claimRunDir(dir, JSON.stringify({ ...config, weights: o.weights.source, profile: backend.profile, data: o.dataHash }), "texture-ldm", `variant ${variant}, ${o.steps} steps, seed ${o.seed}`);
  // The folder's lock is released on return: ablate trains its variants in one process.
  try {
    const sessions = await ldmSessions(backend, variant, o.weights);
    let init = new Float32Array(0);
    if (VARIANT_SPECS[variant].tokens) {
      const t = await initialDomainTokens(backend);
      init = new Float32Array([...t.desired, ...t.undesired]);
    }
    const trainer = new LdmTrainer(sessions, sessions.graphs, new LdmConditioning(backend), data, ddpmSchedule(), config, init);
    const r = await runLoop(trainer, {
      dir,
      label: `texture-ldm ${variant}`,
      checkpointEvery: Math.max(1, Math.min(50, Math.ceil(o.steps / 4))),
      stopAfter: o.stopAfter,
      quiet: o.quiet,
      progressInfo: (row) => ({ loss: Number(row.loss).toFixed(4) }),
    });
    if (!r.complete) return { complete: false, ran: r.ran, sessions };
    const model = { params: sessions.graphs.params, weights: trainer.weights, tokens: trainer.tokens, channels: sessions.graphs.channels };
    const hash = writeModel(dir, model, variant, backend.profile);
    return { complete: true, ran: r.ran, model: { ...model, hash }, sessions };
  } finally {
    release();
  }
}

/** Words whose token embeddings start C_d and C_u where the profile ships no learned ones. */
export const DOMAIN_INIT_WORDS = { desired: "albedo", undesired: "shading" } as const;

/**
 * C_d and C_u to start from: the profile's shipped domain tokens (texture_domain_tokens) when
 * it has them; otherwise (public weights: the paper's tokens are private) the token-table rows
 * of two words, as textual inversion starts from a related word's embedding.
 */
export async function initialDomainTokens(backend: Backend): Promise<{ desired: Float32Array; undesired: Float32Array; source: string }> {
  if (await hasRole(backend, "texture_domain_tokens")) return { ...(await textureDomainTokens(backend)), source: "texture_domain_tokens" };
  const word = async (w: string) => {
    const e = await tokenEmbeddings(backend, tokenize(w));
    const d = e.dims[2]!;
    return (e.data as Float32Array).slice(d, 2 * d); // asFloat32Tensor: float32 data; position 1: the word's first token, after <|startoftext|>
  };
  return { desired: await word(DOMAIN_INIT_WORDS.desired), undesired: await word(DOMAIN_INIT_WORDS.undesired), source: `token embeddings of "${DOMAIN_INIT_WORDS.desired}" / "${DOMAIN_INIT_WORDS.undesired}"` };
}

function writeModel(dir: string, m: TrainedLdm, variant: string, profile: string): string {
  const bytes = new Uint8Array(4 * (m.weights.length + m.tokens.length));
  const f = new Float32Array(bytes.buffer);
  f.set(m.weights);
  f.set(m.tokens, m.weights.length);
  const hash = sha256(bytes);
  writeFileAtomic(join(dir, "weights.bin"), bytes);
  writeJsonAtomic(join(dir, "model.json"), { variant, profile, channels: m.channels, params: m.params, tokens: m.tokens.length, sha256: hash });
  return hash;
}

/** A trained variant from a folder written by `texture-ldm train` (for `ablate texture-ldm --variants-dir`). */
export function readModel(dir: string, variant: string, sessions: LdmSessions): TrainedLdm & { hash: string } {
  const meta = join(dir, "model.json");
  if (!existsSync(meta)) throw new UserError(`${dir}: no model.json (train it with \`dreamface texture-ldm train --variant ${variant} --out ${dir}\`)`);
  const m = JSON.parse(readFileSync(meta, "utf8")) as { variant: string; channels: number; params: TrainedLdm["params"]; tokens: number; sha256: string };
  if (m.variant !== variant) throw new UserError(`${meta} is variant ${m.variant}, expected ${variant}`);
  const names = sessions.graphs.params.map((p) => `${p.name}[${p.dims}]`).join(",");
  if (m.params.map((p) => `${p.name}[${p.dims}]`).join(",") !== names) throw new UserError(`${meta} trained other weights than this profile's ${variant} graph (${names})`);
  const bytes = readFileSync(join(dir, "weights.bin"));
  const f = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const n = sessions.graphs.init.length;
  if (f.length !== n + m.tokens) throw new UserError(`${dir}/weights.bin has ${f.length} values, expected ${n + m.tokens}`);
  return { params: m.params, weights: f.slice(0, n), tokens: f.slice(n), channels: m.channels, hash: sha256(bytes) };
}

export interface TrainCommandOptions {
  variant: LdmTrainConfig["variant"];
  data: string;
  out?: string;
  profile: string;
  steps?: number;
  seed: number;
  batch?: number;
  stopAfter?: number;
}

/** The CLI's `texture-ldm train`: one variant on a dataset folder, into --out. */
export async function runTrainCommand(o: TrainCommandOptions): Promise<{ dir: string; complete: boolean }> {
  const d = ldmDefaults(o.profile);
  const ds = readDataset(resolve(o.data));
  const dir = createRunDir({ stage: `texture-ldm-${o.variant}`, outDir: o.out });
  const backend = await createNodeBackend({ profile: o.profile });
  try {
    const data = await modelSpace(backend, ds);
    const r = await trainVariant(backend, data, { dir, variant: o.variant, steps: o.steps ?? d.steps, batch: o.batch ?? d.batch, seed: o.seed, lr: d.lr, tokenLr: d.tokenLr, weights: defaultWeights(o.profile), dataHash: ds.hash, stopAfter: o.stopAfter });
    return { dir, complete: r.complete };
  } finally {
    await backend.dispose();
  }
}
