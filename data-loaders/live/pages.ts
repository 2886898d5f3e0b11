// What the live page (src/live.md) needs to run carving in the browser exactly as the CLI
// would on the tiny profile: the CLI's default pool (same β* for a prompt), the face region
// with all identity modes, the CLIP merges, and the experiment defaults with the tiny sizes.
import { loadMergesText } from "../clip/merges.js";
import { loadFaceModel } from "../face/load.js";
import { encodeFaceModel } from "../../src/engine/face/binary.js";
import { parseExperiment } from "../../src/engine/config/experiment.js";
import { defaultPoolSize, ensureDefaultPool } from "../geometry/pool-default.js";
import { loadPool } from "../geometry/pool-read.js";
import { resolveCarving } from "../geometry/run.js";
import { profileLabel } from "../run/index.js";
import { stageCapabilities } from "../models/preflight.js";
import { honourCapabilities } from "../texture/run.js";
import { runsExactly } from "../../src/engine/models/capabilities.js";

const b64 = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");

export const LIVE_PROFILE = "tiny";

/** The pool `dreamface geometry` ranks by default on the tiny profile, as base64 float32. */
export async function livePoolPayload() {
  const defaults = parseExperiment({}).geometry.ranking;
  const dir = await ensureDefaultPool({ profile: LIVE_PROFILE, size: defaultPoolSize(LIVE_PROFILE, defaults.defaultPoolSize), seed: defaults.defaultPoolSeed, quiet: true });
  const pool = await loadPool(dir);
  return {
    size: pool.spec.size,
    seed: pool.spec.seed,
    dim: pool.spec.dim,
    identityCount: pool.spec.identityCount,
    embeddings: b64(pool.embeddings),
    betas: b64(pool.betas),
    anchors: { meshImage: b64(Float32Array.from(pool.anchors.meshImage)), text: b64(Float32Array.from(pool.anchors.text)) },
  };
}

/** The carving region with every identity mode (β* has them all), no expressions. */
export async function liveFaceModel(): Promise<Uint8Array> {
  return encodeFaceModel(await loadFaceModel(), { region: "dreamface", expressions: false });
}

export function liveMerges(): string {
  return loadMergesText();
}

/**
 * Experiment defaults, the sizes the CLI resolves for the tiny profile, and how `dreamface
 * texture` runs there (the variant its models allow, the VAE gradient "auto" resolves to).
 */
export async function liveSetup() {
  const experiment = parseExperiment({});
  const { renderSize, normalMapSize } = resolveCarving(experiment.geometry.carving, LIVE_PROFILE);
  const capabilities = await stageCapabilities("texture", LIVE_PROFILE, { quiet: true });
  const { config } = honourCapabilities(experiment.texture, capabilities, LIVE_PROFILE);
  const vaeGradient = runsExactly(capabilities, "texture.vae-vjp") ? "exact" : "linear-approx";
  return { profile: LIVE_PROFILE, label: profileLabel(LIVE_PROFILE) ?? null, experiment, sizes: { renderSize, normalMapSize }, texture: { variant: config.variant, vaeGradient } };
}
