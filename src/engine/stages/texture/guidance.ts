/**
 * TextureModels over a Backend (MODELS' wrappers): the generic UNet on P, the texture UNet on
 * P′ with the learned desired-domain token and an all-ones non-face mask (paper Sec. 5.1.2:
 * at inference "a mask filled with ones" means no region is marked non-face), the VAE and its
 * VJPs — exact graphs when the profile has them, else the labelled linear approximation.
 * Layout conversions (HWC ↔ NCHW, [0,1] ↔ [−1,1]) live here and nowhere else.
 */
import { cfg } from "../../diffusion/guidance.js";
import type { Backend, Tensor } from "../../models/backend.js";
import { encodeText, textureDomainTokens, unetEpsPair, vaeDecode, vaeDecodeVjp, vaeEncode, vaeEncodeVjp } from "../../models/index.js";
import { tensor } from "../../models/tensor.js";
import { hwcToNchw, nchwToHwc } from "./layout.js";
import { decoderVjpLinear, encoderVjpLinear } from "./linear-rgb.js";
import type { TextureModels } from "./seams.js";
import { hasRole } from "../../models/sessions.js";

export interface TexturePrompts {
  /** Token ids (77) of the user prompt P, of the empty prompt, and of P′ (P + keyword + placeholder). */
  prompt: Int32Array;
  empty: Int32Array;
  texturePrompt: Int32Array;
  /**
   * The texture path's unconditional prompt: a lone placeholder that carries the learned
   * undesired-domain token, so guidance pushes towards Ω_d and away from Ω_u (models/README.md).
   * Absent: the empty prompt.
   */
  textureNegative?: Int32Array;
}

export interface TextureModelsOptions {
  latentSize?: number;
  vaeGradient?: "auto" | "exact" | "linear-approx";
  /** Which texture-path roles to open; false for ablations that never call the texture UNet. */
  texturePath?: boolean;
}

const END_TOKEN = 49407;

/**
 * The position whose hidden state the learned domain token replaces: the last token of P′
 * before the end token (P′ ends with a placeholder word for exactly this purpose).
 */
export function placeholderIndex(ids: Int32Array): number {
  const end = ids.indexOf(END_TOKEN);
  if (end < 2) throw new Error("texture prompt P′ has no placeholder token before the end token");
  return end - 1;
}

/** Hidden states [1,77,768] with row `index` replaced by `token` [768]. */
export function withDomainToken(hidden: Tensor, index: number, token: Float32Array): Tensor {
  const d = hidden.dims[2]!;
  if (token.length !== d) throw new Error(`domain token has ${token.length} values, hidden states have ${d}`);
  const data = Float32Array.from(hidden.data as Float32Array);
  data.set(token, index * d);
  return tensor("float32", data, hidden.dims);
}

export async function createTextureModels(backend: Backend, prompts: TexturePrompts, opts: TextureModelsOptions = {}): Promise<TextureModels> {
  const h = opts.latentSize ?? 64;
  const cond = (await encodeText(backend, prompts.prompt)).hiddenStates;
  const uncond = (await encodeText(backend, prompts.empty)).hiddenStates;
  let textureCond: Tensor | undefined;
  let textureUncond: Tensor = uncond;
  if (opts.texturePath !== false) {
    const tokens = await textureDomainTokens(backend);
    textureCond = withDomainToken((await encodeText(backend, prompts.texturePrompt)).hiddenStates, placeholderIndex(prompts.texturePrompt), tokens.desired);
    if (prompts.textureNegative)
      textureUncond = withDomainToken((await encodeText(backend, prompts.textureNegative)).hiddenStates, placeholderIndex(prompts.textureNegative), tokens.undesired);
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
