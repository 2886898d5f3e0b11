// Derived roles: graphs nobody publishes, written from the public ones by the engine's ONNX
// autodiff (src/engine/autodiff/) and graph surgery, and cached beside their source:
//   vae_encoder_vjp         ← VJP of vae_encoder w.r.t. sample (of the mean for latent_parameters exports)
//   vae_decoder_vjp         ← VJP of vae_decoder w.r.t. latent_sample
//   unet_cond_vjp           ← VJP of unet w.r.t. encoder_hidden_states
//   text_encoder_embeds     ← text_encoder with the token-embedding Gather cut out (new input inputs_embeds)
//   text_encoder_embeds_vjp ← its VJP w.r.t. inputs_embeds
//   token_embeddings        ← the part text_encoder_embeds cuts out: input_ids → inputs_embeds
// The cache is `<source folder>/<role>.derived.onnx` (beside the source, so its weights.pb /
// model.onnx_data resolve: onnxruntime refuses external data outside the model's folder) plus
// `<role>.derived.json` recording the source's sha256, size and mtime and the autodiff version;
// a changed source (new size or mtime, then a new sha256) or autodiff re-derives. A read-only
// profile folder falls back to the user cache, where the VJP graph gets its own copy of the
// weights it needs.
import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { vjpModel, VjpError } from "../../src/engine/autodiff/vjp.js";
import { adaptCotangentChannels, exposeTokenEmbeddings, extractTokenEmbeddings } from "../../src/engine/autodiff/surgery.js";
import { ROLES } from "../../models/cards/roles.js";
import { writeJsonAtomic } from "../io/atomic.js";
import { sha256 } from "../io/hash.js";
import { userCacheDir } from "../io/paths.js";
import { onnx, type ModelProto } from "../../src/engine/autodiff/proto.js";
import { writeModelFile } from "./vjp-file.js";

/** Bump when a rule or a derivation changes what is written: cached derived graphs are then rebuilt. */
export const AUTODIFF_VERSION = 1;

/** Each derived role and the public role it is derived from (from the role cards). */
export const DERIVED_FROM: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(ROLES).flatMap(([role, sig]) => (sig.derivedFrom ? [[role, sig.derivedFrom]] : [])),
);

export interface DerivedRole {
  role: string;
  source: string;
  /** The derived graph's file. */
  file: string;
  /** sha256 of the source .onnx it was derived from. */
  sourceSha256: string;
  /** true when this call wrote it; false when the cache was current. */
  fresh: boolean;
}

/** A derivation that cannot be done (unsupported op, not a text encoder…): names the role and why. */
export class DeriveError extends Error {
  override name = "DeriveError";
}

/** How each role is made from its source's decoded model. */
const DERIVATIONS: Record<string, (m: ModelProto) => ModelProto> = {
  vae_encoder_vjp: (m) => {
    const outs = (m.graph?.output ?? []).map((o) => o.name);
    if (outs.includes("latent_sample")) return vjpModel(m, { wrt: ["sample"], output: "latent_sample" });
    if (!outs.includes("latent_parameters")) throw new VjpError(`vae_encoder has neither latent_sample nor latent_parameters (outputs: ${outs.join(", ")})`);
    return adaptCotangentChannels(vjpModel(m, { wrt: ["sample"], output: "latent_parameters" }), "grad_latent_parameters", "grad_latent_sample");
  },
  vae_decoder_vjp: (m) => vjpModel(m, { wrt: ["latent_sample"], output: "sample" }),
  unet_cond_vjp: (m) => vjpModel(m, { wrt: ["encoder_hidden_states"], output: "out_sample" }),
  text_encoder_embeds: (m) => exposeTokenEmbeddings(m),
  text_encoder_embeds_vjp: (m) => vjpModel(exposeTokenEmbeddings(m), { wrt: ["inputs_embeds"], output: "last_hidden_state" }),
  token_embeddings: (m) => extractTokenEmbeddings(m),
};

/** Where `role` is cached for a source file (beside it when that folder is writable). */
export function derivedPath(role: string, sourceFile: string): string {
  const dir = dirname(sourceFile);
  return join(writable(dir) ? dir : join(userCacheDir(), "derived", sha256(dir).slice(0, 16)), `${role}.derived.onnx`);
}

/**
 * Derives `role` from `sourceFile` unless a current cache exists. Throws DeriveError with a
 * one-line reason (the unsupported op and node, or what the source lacks).
 */
export function ensureDerived(role: string, sourceFile: string): DerivedRole {
  const source = DERIVED_FROM[role];
  const derive = DERIVATIONS[role];
  if (!source || !derive) throw new DeriveError(`role "${role}" is not derivable (derivable: ${Object.keys(DERIVATIONS).join(", ")})`);
  if (!existsSync(sourceFile)) throw new DeriveError(`cannot derive ${role}: its source ${source} is missing (${sourceFile})`);
  const file = derivedPath(role, sourceFile);
  const meta = readMeta(file);
  const current = (m: DerivedMeta | undefined) => m?.autodiffVersion === AUTODIFF_VERSION && existsSync(file);
  // An unchanged source (same size and mtime as recorded) is not re-read: sources are up to 0.5 GB.
  const { size, mtimeMs } = statSync(sourceFile);
  if (current(meta) && meta!.sourceBytes === size && meta!.sourceMtimeMs === mtimeMs) return { role, source, file, sourceSha256: meta!.sourceSha256, fresh: false };
  const bytes = readFileSync(sourceFile);
  const sourceSha256 = sha256(bytes);
  const stamp = { role, source, sourceFile: basename(sourceFile), sourceSha256, sourceBytes: size, sourceMtimeMs: mtimeMs, autodiffVersion: AUTODIFF_VERSION };
  if (current(meta) && meta!.sourceSha256 === sourceSha256) {
    writeJsonAtomic(metaPath(file), { ...meta, ...stamp }); // touched, not changed
    return { role, source, file, sourceSha256, fresh: false };
  }
  let model: ModelProto;
  try {
    model = derive(onnx.ModelProto.decode(bytes));
  } catch (error) {
    if (error instanceof VjpError) throw new DeriveError(`cannot derive ${role} from ${source} (${sourceFile}): ${error.message}`);
    throw error;
  }
  writeModelFile(model, dirname(sourceFile), file);
  writeJsonAtomic(metaPath(file), { ...stamp, derivedAt: new Date().toISOString() });
  return { role, source, file, sourceSha256, fresh: true };
}

interface DerivedMeta {
  sourceSha256: string;
  sourceBytes?: number;
  sourceMtimeMs?: number;
  autodiffVersion: number;
}

const metaPath = (file: string) => file.replace(/\.onnx$/, ".json");

function readMeta(file: string): DerivedMeta | undefined {
  try {
    return JSON.parse(readFileSync(metaPath(file), "utf8")) as DerivedMeta;
  } catch {
    return undefined;
  }
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
