// What training and sampling share on the Node side: the profile's UNet and text encoder as
// ModelProtos, their training graphs as sessions, the dataset in model space (VAE latents,
// pooled masks, caption ids).
import { existsSync, readFileSync } from "node:fs";
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
import { ensureDerived } from "../models/derive.js";
import { UserError } from "../cli/errors.js";
import type { Dataset } from "./dataset-files.js";

/** Trained weights by profile: tiny trains every conv and linear weight; bigger UNets the in/out convs. */
export function defaultWeights(profile: string): RegExp {
  return profile === "tiny" ? /^(conv|lin)_/ : /conv_in|conv_out/;
}

async function roleModel(backend: Backend, role: string): Promise<ModelProto> {
  await backend.session(role); // builds the tiny profile / derives the role when needed
  const dir = profileDir(backend.profile);
  let path = roleFile(backend.profile, dir, role);
  if (!existsSync(path) && role === "text_encoder_embeds") path = ensureDerived(role, roleFile(backend.profile, dir, "text_encoder")).file;
  return onnx.ModelProto.decode(readFileSync(path));
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
    const graphs = ldmTrainGraphs(await roleModel(backend, "unet"), { mask: spec.mask, weights, hiddenGrad: spec.tokens });
    return {
      graphs,
      forward: await sessionFromBytes("texture-ldm", encode(graphs.forward)),
      vjp: await sessionFromBytes("texture-ldm-vjp", encode(graphs.vjp)),
      textVjp: spec.tokens ? await sessionFromBytes("text_encoder_embeds_vjp", encode(textEmbedsVjp(await roleModel(backend, "text_encoder_embeds")))) : undefined,
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
