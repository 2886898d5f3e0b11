// What training and sampling share on the Node side: the profile's UNet and text encoder as
// ModelProtos, their training graphs as sessions, the dataset in model space (VAE latents,
// pooled masks, caption ids).
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import type { Backend, ModelSession } from "../../src/engine/models/backend.js";
import { onnx, type ModelProto } from "../../src/engine/autodiff/proto.js";
import { VjpError } from "../../src/engine/autodiff/vjp.js";
import { ldmTrainGraphs, textEmbedsVjp, type TrainGraphs } from "../../src/engine/stages/texture-ldm/graphs.js";
import { poolMask, type LdmData } from "../../src/engine/stages/texture-ldm/data.js";
import { VARIANT_SPECS, type LdmVariant } from "../../src/engine/stages/texture-ldm/variants.js";
import { vaeEncode } from "../../src/engine/models/vae.js";
import { hwcToNchw } from "../../src/engine/stages/texture/layout.js";
import { tensor } from "../../src/engine/models/tensor.js";
import { tokenize } from "../clip/merges.js";
import { profileDir, roleFile, sessionFromBytes } from "../models/backend-node.js";
import { derivedPath, ensureDerived } from "../models/derive.js";
import { externalReader, hasExternalData, readModel, writeModelFile } from "../models/vjp-file.js";
import { sha256 } from "../io/hash.js";
import { UserError } from "../cli/errors.js";
import type { Dataset } from "./dataset-files.js";

/** Trained weights by profile: tiny trains every conv and linear weight; bigger UNets the in/out convs. */
export function defaultWeights(profile: string): RegExp {
  return profile === "tiny" ? /^(conv|lin)_/ : /conv_in|conv_out/;
}

/** A role's graph and its file (external data resolves relative to the file's folder). */
async function roleModel(backend: Backend, role: string): Promise<{ model: ModelProto; file: string }> {
  await backend.session(role); // builds the tiny profile / derives the role when needed
  const dir = profileDir(backend.profile);
  let file = roleFile(backend.profile, dir, role);
  if (!existsSync(file) && role === "text_encoder_embeds") file = ensureDerived(role, roleFile(backend.profile, dir, "text_encoder")).file;
  return { model: readModel(file), file };
}

/**
 * A session over a training graph. Real exports keep their weights as external data (> 2 GB):
 * the graph then goes to a file beside its source (`<role>.<hash>.derived.onnx`, named by its
 * content so variants and weight choices never collide and a rerun reuses it) pointing at the
 * source's weights file, and loads from there; self-contained graphs (tiny) load from memory.
 */
async function graphSession(role: string, model: ModelProto, source: string): Promise<ModelSession> {
  const bytes = encode(model);
  if (!hasExternalData(model)) return sessionFromBytes(role, bytes);
  const file = derivedPath(`${role}.${sha256(bytes).slice(0, 16)}`, source);
  if (!existsSync(file)) writeModelFile(model, dirname(source), file);
  return sessionFromBytes(role, file);
}

export interface LdmSessions {
  graphs: TrainGraphs;
  forward: ModelSession;
  vjp: ModelSession;
  textVjp?: ModelSession;
}

const encode = (m: ModelProto) => onnx.ModelProto.encode(onnx.ModelProto.create(m)).finish();

export async function ldmSessions(backend: Backend, variant: LdmVariant, weights: RegExp): Promise<LdmSessions> {
  const spec = VARIANT_SPECS[variant];
  try {
    const unet = await roleModel(backend, "unet");
    const graphs = ldmTrainGraphs(unet.model, { mask: spec.mask, weights, hiddenGrad: spec.tokens, external: externalReader(dirname(unet.file)) });
    const text = spec.tokens ? await roleModel(backend, "text_encoder_embeds") : undefined;
    return {
      graphs,
      forward: await graphSession("texture-ldm", graphs.forward, unet.file),
      vjp: await graphSession("texture-ldm-vjp", graphs.vjp, unet.file),
      textVjp: text ? await graphSession("text_encoder_embeds_vjp", textEmbedsVjp(text.model), text.file) : undefined,
    };
  } catch (error) {
    if (error instanceof VjpError) throw new UserError(`cannot build the ${variant} texture LDM from the ${backend.profile} UNet: ${error.message}`);
    throw error;
  }
}

/** The dataset through the VAE encoder (batches of 16), masks pooled to latent size, captions tokenised. */
export async function modelSpace(backend: Backend, ds: Dataset): Promise<LdmData> {
  const S = ds.size, f = 8, h = S / f, w = S / f;
  const items: LdmData["items"][number][] = [];
  for (let i = 0; i < ds.items.length; i += 16) {
    const chunk = ds.items.slice(i, i + 16);
    const x = new Float32Array(chunk.length * 3 * S * S);
    chunk.forEach((it, b) => {
      const nchw = hwcToNchw(it.image, S, S, 3);
      for (let k = 0; k < nchw.length; k++) x[b * 3 * S * S + k] = nchw[k]! * 2 - 1;
    });
    const z = (await vaeEncode(backend, tensor("float32", x, [chunk.length, 3, S, S]))).data as Float32Array;
    if (z.length !== chunk.length * 4 * h * w) throw new UserError(`the ${backend.profile} VAE does not map ${S}² maps to ${h}² latents (factor 8)`);
    chunk.forEach((it, b) => items.push({ latent: z.slice(b * 4 * h * w, (b + 1) * 4 * h * w), mask: poolMask(it.mask, S, S, f), ids: tokenize(it.caption), domain: it.domain }));
  }
  return { items, h, w };
}
