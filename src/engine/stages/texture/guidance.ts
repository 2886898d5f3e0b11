/**
 * TextureModels over a Backend (MODELS' wrappers): the generic UNet on P, the texture UNet on
 * Q(P, C_d) (Eq. 9: the learned desired-domain token concatenated to P's token embeddings, the
 * unconditional branch the empty prompt) and an all-ones non-face mask (paper Sec. 5.1.2:
 * at inference "a mask filled with ones" means no region is marked non-face), the VAE and its
 * VJPs — exact graphs when the profile has them, else the labelled linear approximation.
 * Layout conversions (HWC ↔ NCHW, [0,1] ↔ [−1,1]) live here and nowhere else.
 */
import { cfg } from "../../diffusion/guidance.js";
import type { Backend, Tensor } from "../../models/backend.js";
import { encodeText, encodeTextEmbeds, textureDomainTokens, tokenEmbeddings, unetEpsPair, vaeDecode, vaeDecodeVjp, vaeEncode, vaeEncodeVjp } from "../../models/index.js";
import { tensor } from "../../models/tensor.js";
import { END_TOKEN } from "../../clip/tokenizer.js";
import { hwcToNchw, nchwToHwc } from "./layout.js";
import { decoderVjpLinear, encoderVjpLinear } from "./linear-rgb.js";
import type { TextureModels } from "./seams.js";
import { hasRole } from "../../models/sessions.js";

export interface TexturePrompts {
  /** Token ids (77) of the user prompt P and of the empty prompt. */
  prompt: Int32Array;
  empty: Int32Array;
  /**
   * The text T of the texture path's Q(T, C_d): P itself (the paper), or P with a handcrafted
   * suffix (the `textureSuffix: "handcrafted"` ablation).
   */
  texturePrompt: Int32Array;
}

/** The texture path's CFG negative: the empty prompt (default), or Q("", C_u) (an ablation). */
export type TextureNegative = "empty-prompt" | "undesired-tokens";

export interface TextureModelsOptions {
  latentSize?: number;
  vaeGradient?: "auto" | "exact" | "linear-approx";
  /** Which texture-path roles to open; false for ablations that never call the texture UNet. */
  texturePath?: boolean;
  textureNegative?: TextureNegative;
}

/**
 * The ids of Q(T, C_d): T's tokens, then `n` slots for the learned vectors, then the end token
 * and T's padding, still 77 long (T's last words are dropped if they do not fit). The ids at the
 * slots are never looked up (their embeddings are the learned vectors); they only must not be
 * the end token, which pooling finds by argmax. Returns the ids and the first slot's position.
 */
export function spliceIds(ids: Int32Array, n: number): { ids: Int32Array; at: number } {
  const end = ids.indexOf(END_TOKEN);
  if (end < 1) throw new Error("token ids have no start and end token");
  const len = ids.length;
  const at = Math.min(end, len - 1 - n);
  if (at < 1) throw new Error(`no room for ${n} learned tokens in ${len} positions`);
  const pad = ids[len - 1]!;
  const out = new Int32Array(len).fill(pad);
  out.set(ids.subarray(0, at));
  out.fill(SLOT_ID, at, at + n);
  out[at + n] = END_TOKEN;
  return { ids: out, at };
}

/** What the learned slots' ids are (never looked up): CLIP's token 0, "!". */
const SLOT_ID = 0;

/**
 * Q(T, C_d) of Eq. 9 as text-encoder input: `ids` (T's tokens) and their token embeddings with
 * the learned vectors concatenated after the prompt's tokens (the tokenizer's 77 positions kept).
 * Then the text encoder runs on the embeddings (`text_encoder_embeds`).
 */
export async function encodeWithDomainTokens(backend: Backend, ids: Int32Array, vectors: readonly Float32Array[]): Promise<Tensor> {
  const q = spliceIds(ids, vectors.length);
  const table = await tokenEmbeddings(backend, q.ids);
  const d = table.dims[2]!;
  for (const v of vectors)
    if (v.length !== d)
      throw new Error(`texture_domain_tokens are ${v.length} wide but the text encoder's token embeddings are ${d} wide: the domain tokens must be token embeddings of this text encoder (models/README.md)`);
  const embeds = Float32Array.from(table.data as Float32Array);
  vectors.forEach((v, k) => embeds.set(v, (q.at + k) * d));
  return (await encodeTextEmbeds(backend, q.ids, tensor("float32", embeds, table.dims))).hiddenStates;
}

export async function createTextureModels(backend: Backend, prompts: TexturePrompts, opts: TextureModelsOptions = {}): Promise<TextureModels> {
  const h = opts.latentSize ?? 64;
  const cond = (await encodeText(backend, prompts.prompt)).hiddenStates;
  const uncond = (await encodeText(backend, prompts.empty)).hiddenStates;
  let textureCond: Tensor | undefined;
  let textureUncond: Tensor = uncond;
  if (opts.texturePath !== false) {
    // Eq. 9: C_d enters through the text encoder's input embeddings, after the prompt's tokens.
    const tokens = await textureDomainTokens(backend);
    textureCond = await encodeWithDomainTokens(backend, prompts.texturePrompt, [tokens.desired]);
    if ((opts.textureNegative ?? "empty-prompt") === "undesired-tokens") textureUncond = await encodeWithDomainTokens(backend, prompts.empty, [tokens.undesired]);
  }
  const want = opts.vaeGradient ?? "auto";
  let exact = want === "exact";
  if (want === "auto") exact = (await hasRole(backend, "vae_decoder_vjp")) && (await hasRole(backend, "vae_encoder_vjp"));
  // Sizes follow the arrays: the generic path may score a render whose side differs from z's.
  const side = (x: Float32Array, c: number) => {
    const s = Math.round(Math.sqrt(x.length / c));
    if (s * s * c !== x.length) throw new Error(`expected a square ${c}-channel array, got ${x.length} values`);
    return s;
  };
  const nchw = (x: Float32Array, c: number, scale = 1) => {
    const s = side(x, c);
    const out = hwcToNchw(x, s, s, c);
    if (scale !== 1) for (let i = 0; i < out.length; i++) out[i] = out[i]! * scale;
    return tensor("float32", out, [1, c, s, s]);
  };
  const latentTensor = (x: Float32Array) => nchw(x, 4);
  const imageTensor = (img: Float32Array) => {
    const s = side(img, 3);
    const x = hwcToNchw(img, s, s, 3);
    for (let i = 0; i < x.length; i++) x[i] = x[i]! * 2 - 1;
    return tensor("float32", x, [1, 3, s, s]);
  };
  const toHwc = (t: Tensor) => {
    const [, c, hh, ww] = t.dims as [number, number, number, number];
    return nchwToHwc(t.data as Float32Array, hh, ww, c);
  };

  async function guided(role: string, sample: Tensor, t: number, u0: Tensor, c: Tensor, scale: number): Promise<Float32Array> {
    const { uncond: u, cond: k } = await unetEpsPair(backend, role, sample, t, u0, c);
    const [, , hh, ww] = u.dims as [number, number, number, number];
    return nchwToHwc(cfg(u.data as Float32Array, k.data as Float32Array, scale), hh, ww, 4);
  }

  return {
    latentSize: h,
    vaeFactor: 8,
    vaeGradient: exact ? "exact" : "linear-approx",
    genericEps: (noisy, t, scale) => guided("unet", latentTensor(noisy), t, uncond, cond, scale),
    textureEps(noisy, t, scale) {
      if (!textureCond) throw new Error("texture path disabled for this run");
      const s = side(noisy, 4);
      const sample = new Float32Array(5 * s * s);
      sample.set(hwcToNchw(noisy, s, s, 4));
      sample.fill(1, 4 * s * s);
      return guided("texture_unet", tensor("float32", sample, [1, 5, s, s]), t, textureUncond, textureCond, scale);
    },
    async decode(z) {
      const out = toHwc(await vaeDecode(backend, latentTensor(z)));
      for (let i = 0; i < out.length; i++) out[i] = (out[i]! + 1) / 2;
      return out;
    },
    async decodeVjp(z, dImage) {
      const s = side(z, 4);
      if (!exact) return decoderVjpLinear(dImage, s, s);
      // image01 = (D + 1)/2 ⇒ dL/dD = dL/dimage01 / 2.
      return toHwc(await vaeDecodeVjp(backend, latentTensor(z), nchw(dImage, 3, 0.5)));
    },
    async encode(image) {
      return toHwc(await vaeEncode(backend, imageTensor(image)));
    },
    async encodeVjp(image, dLatent) {
      const s = side(dLatent, 4);
      if (!exact) return encoderVjpLinear(dLatent, s, s);
      // x = 2·image01 − 1 ⇒ dL/dimage01 = 2·dL/dx.
      return toHwc(await vaeEncodeVjp(backend, imageTensor(image), latentTensor(dLatent))).map((v) => v * 2);
    },
  };
}
