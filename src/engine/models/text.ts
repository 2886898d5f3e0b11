/** Text-side roles: the SD text encoder and CLIP's text tower. */
import type { Backend, Tensor } from "./backend.js";
import { pick, runRole } from "./adapt.js";
import { asFloat32Tensor, tensor } from "./tensor.js";

export const CONTEXT_LENGTH = 77;

/** Token ids ([B·77] from the tokenizer) as an int32 tensor [B,77]; the adapter casts to int64 when needed. */
export function idsTensor(ids: Int32Array | readonly number[] | Tensor): Tensor {
  if ("dtype" in ids && "dims" in ids) return ids as Tensor;
  const data = ids instanceof Int32Array ? ids : Int32Array.from(ids as readonly number[]);
  if (data.length === 0 || data.length % CONTEXT_LENGTH !== 0) throw new Error(`token ids must be a multiple of ${CONTEXT_LENGTH} long, got ${data.length}`);
  return tensor("int32", data, [data.length / CONTEXT_LENGTH, CONTEXT_LENGTH]);
}

export interface TextEncoding {
  /** [B,77,768] float32: what conditions the UNet. */
  hiddenStates: Tensor;
  /** [B,768] float32. */
  pooled: Tensor;
}

/** SD1.5 text encoder: ids → last_hidden_state (float32 even for fp16 exports). */
export async function encodeText(backend: Backend, ids: Int32Array | readonly number[] | Tensor): Promise<TextEncoding> {
  const r = await runRole(backend, "text_encoder", { input_ids: idsTensor(ids) });
  return {
    hiddenStates: asFloat32Tensor(pick(r, "text_encoder", "last_hidden_state")),
    pooled: asFloat32Tensor(pick(r, "text_encoder", "pooler_output")),
  };
}

/** CLIP text embedding [B,768], NOT normalised (normalise before cosine). */
export async function clipTextEmbed(backend: Backend, ids: Int32Array | readonly number[] | Tensor): Promise<Tensor> {
  const r = await runRole(backend, "clip_text", { input_ids: idsTensor(ids) });
  return asFloat32Tensor(pick(r, "clip_text", "text_embeds"));
}

/**
 * The text encoder's input token embeddings [B,77,D] of `ids` (role `token_embeddings`, derived
 * from text_encoder: its token-table lookup alone). D is the token table's width: 768 for SD1.5.
 */
export async function tokenEmbeddings(backend: Backend, ids: Int32Array | readonly number[] | Tensor): Promise<Tensor> {
  const r = await runRole(backend, "token_embeddings", { input_ids: idsTensor(ids) });
  return asFloat32Tensor(pick(r, "token_embeddings", "inputs_embeds"));
}

/**
 * The text encoder run on input embeddings (role `text_encoder_embeds`): `embeds` [B,77,D]
 * replaces the token lookup; `ids` [B,77] only serve pooling (the first end token, found by argmax).
 */
export async function encodeTextEmbeds(backend: Backend, ids: Int32Array | readonly number[] | Tensor, embeds: Tensor): Promise<TextEncoding> {
  const idT = idsTensor(ids);
  if (embeds.dims.length !== 3 || embeds.dims[0] !== idT.dims[0] || embeds.dims[1] !== idT.dims[1])
    throw new Error(`inputs_embeds must be [${idT.dims.join(",")},D] to match the ids, got [${embeds.dims.join(",")}]`);
  const r = await runRole(backend, "text_encoder_embeds", { input_ids: idT, inputs_embeds: embeds });
  return {
    hiddenStates: asFloat32Tensor(pick(r, "text_encoder_embeds", "last_hidden_state")),
    pooled: asFloat32Tensor(pick(r, "text_encoder_embeds", "pooler_output")),
  };
}
