/**
 * The tiny profile: small seeded ONNX graphs with the same signatures as the real models
 * (models/cards/roles.ts). Their outputs are deterministic TEST SIGNALS, not faces or images:
 * they exist so every stage runs end to end offline, in CI and in the browser.
 *
 * Each role gets its own Rng stream (Rng.derive(seed, role)), so adding a role never changes
 * the bytes of another.
 */
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Rng } from "../../src/engine/util/rng.js";
import { GraphBuilder, type ElemType } from "./graph.js";

export const DEFAULT_SEED = 0;
/** Bump when any graph changes: ensureTinyModels rebuilds when the manifest disagrees. */
export const BUILDER_VERSION = 2;

export const VOCAB = 49408;
export const CONTEXT = 77;
export const HIDDEN = 768;
/** Width of the tiny token table before the projection to 768 (keeps files ~1.6 MB). */
export const TOKEN_DIM = 8;
/** Feature width of the tiny KID network (Inception pool3 would be 2048). */
export const TINY_KID_DIM = 64;

export interface TinyModel {
  role: string;
  bytes: Uint8Array;
}

export interface TextEncoderOptions {
  idsType?: "int32" | "int64";
}

/** input_ids [B,77] → last_hidden_state [B,77,768], pooler_output [B,768]. */
export function buildTextEncoder(seed: number, { idsType = "int32" }: TextEncoderOptions = {}): Uint8Array {
  const g = new GraphBuilder("tiny_text_encoder", Rng.derive(seed, "text_encoder"));
  const ids = g.input("input_ids", idsType, ["batch", "sequence"]);
  const tok = g.gather(g.normal([VOCAB, TOKEN_DIM], 1, "token_table"), ids); // [B,77,8]
  const pos = g.add(tok, g.normal([CONTEXT, TOKEN_DIM], 0.3, "pos_table"));
  // Each position also sees the mean of the prompt, so hidden states depend on context.
  const ctx = g.mean(pos, [1], true); // [B,1,8]
  const h = g.add(g.linear(pos, TOKEN_DIM, HIDDEN), g.linear(ctx, TOKEN_DIM, HIDDEN, { bias: false }));
  const last = g.tanh(h, "last_hidden_state");
  g.mean(last, [1], false, "pooler_output");
  g.output("last_hidden_state", "float32", ["batch", CONTEXT, HIDDEN]);
  g.output("pooler_output", "float32", ["batch", HIDDEN]);
  return g.toBytes();
}

/** input_ids [B,77] → text_embeds [B,768] (unnormalised, like the Xenova split export). */
export function buildClipText(seed: number): Uint8Array {
  const g = new GraphBuilder("tiny_clip_text", Rng.derive(seed, "clip_text"));
  const ids = g.input("input_ids", "int64", ["batch_size", "sequence_length"]);
  const tok = g.tanh(g.gather(g.normal([VOCAB, TOKEN_DIM], 1, "token_table"), ids));
  const pooled = g.mean(tok, [1]); // [B,8]
  g.linear(pooled, TOKEN_DIM, HIDDEN, { std: 3 }, "text_embeds");
  g.output("text_embeds", "float32", ["batch_size", HIDDEN]);
  return g.toBytes();
}

/** pixel_values [B,3,224,224] → image_embeds [B,768] (unnormalised). */
export function buildClipImage(seed: number): Uint8Array {
  const g = new GraphBuilder("tiny_clip_image", Rng.derive(seed, "clip_image"));
  const x = g.input("pixel_values", "float32", ["batch_size", 3, 224, 224]);
  const p = g.tanh(g.conv(x, 3, 8, { kernel: 14, stride: 14 })); // [B,8,16,16] patches
  const q = g.tanh(g.conv(p, 8, 8, { kernel: 4, stride: 4 })); // [B,8,4,4]
  g.linear(g.flatten(q), 128, HIDDEN, { std: 0.5 }, "image_embeds");
  g.output("image_embeds", "float32", ["batch_size", HIDDEN]);
  return g.toBytes();
}

export interface UnetOptions {
  timestepType?: "float32" | "int64" | "float16";
  /** "batch": [B] (diffusers script, old optimum); "scalar": [] (optimum ≥ 1.24). */
  timestepShape?: "batch" | "scalar";
  /** Extra input channels (texture_unet: +1 non-face mask). */
  inChannels?: number;
  role?: string;
}

/**
 * sample [B,c,h,w], timestep, encoder_hidden_states [B,77,768] → out_sample [B,4,h,w].
 * A sinusoidal timestep embedding and a pooled text embedding shift the features, so the
 * output depends on t and on the prompt (CFG has something to amplify).
 */
export function buildUnet(seed: number, o: UnetOptions = {}): Uint8Array {
  const { timestepType = "float32", timestepShape = "batch", inChannels = 4, role = "unet" } = o;
  const C = 16;
  const g = new GraphBuilder(`tiny_${role}`, Rng.derive(seed, role));
  const x = g.input("sample", "float32", ["batch", inChannels, "height", "width"]);
  const tIn = g.input("timestep", timestepType as ElemType, timestepShape === "batch" ? ["batch"] : []);
  const ehs = g.input("encoder_hidden_states", "float32", ["batch", "sequence", HIDDEN]);
  // timestep → [T,1] float (T = B, 1 or a scalar broadcast), scaled to about [0, 1].
  const tFloat = timestepType === "float32" ? tIn : g.cast(tIn, "float32");
  const t = g.reshape(g.mul(tFloat, g.constant([1], [1 / 1000], "t_scale")), [-1, 1]);
  const freqs = g.constant([1, 8], [1, 2, 4, 8, 16, 32, 64, 128].map((f) => f * Math.PI), "freqs");
  const phase = g.mul(t, freqs); // [T,8]
  const temb = g.linear(g.concat([g.sin(phase), g.cos(phase)], 1), 16, C); // [T,C]
  const text = g.linear(g.mean(ehs, [1]), HIDDEN, C, { std: 2 / Math.sqrt(HIDDEN) }); // [B,C]
  const cond = g.reshape(g.add(temb, text), [-1, C, 1, 1]);
  const h1 = g.tanh(g.add(g.conv(x, inChannels, C, { kernel: 3, pad: 1 }), cond));
  const h2 = g.tanh(g.conv(h1, C, C, { kernel: 3, pad: 1 }));
  g.conv(h2, C, 4, { kernel: 3, pad: 1, std: 0.5 / Math.sqrt(C * 9) }, "out_sample");
  g.output("out_sample", "float32", ["batch", 4, "height", "width"]);
  return g.toBytes();
}

/**
 * [2] learned token embeddings: index 0 = desired domain, 1 = undesired (see models/README.md).
 * Token embeddings of the tiny text encoder, so as wide as its token table (TOKEN_DIM).
 */
export function buildTextureDomainTokens(seed: number): Uint8Array {
  const g = new GraphBuilder("tiny_texture_domain_tokens", Rng.derive(seed, "texture_domain_tokens"));
  const idx = g.input("index", "int64", ["n"]);
  g.gather(g.normal([2, TOKEN_DIM], 1, "domain_table"), idx, 0, "token_embeds");
  g.output("token_embeds", "float32", ["n", TOKEN_DIM]);
  return g.toBytes();
}

// --- tiny VAE --------------------------------------------------------------------------
// Encoder: Conv k2 s2 (3→8) → tanh → Conv k4 s4 (8→4). Decoder: ConvT k4 s4 (4→8) → tanh →
// ConvT k2 s2 (8→3) → tanh. Stride = kernel means each output pixel depends on exactly one
// input patch, so the VJP of each conv is the transposed conv with the SAME weight tensor
// (and vice versa): the VJP graphs below are exact, not approximations.

interface VaeWeights {
  g: GraphBuilder;
  w1: string;
  b1: string;
  w2: string;
  b2: string | undefined;
}

function encoderWeights(seed: number, name: string, withB2 = true): VaeWeights {
  const g = new GraphBuilder(name, Rng.derive(seed, "vae_encoder"));
  return {
    g,
    w1: g.normal([8, 3, 2, 2], 1 / Math.sqrt(12), "enc_w1"),
    b1: g.normal([8], 0.05, "enc_b1"),
    w2: g.normal([4, 8, 4, 4], 1 / Math.sqrt(128), "enc_w2"),
    // The VJP graph does not need b2; draw it anyway so later streams stay aligned.
    b2: withB2 ? g.normal([4], 0.05, "enc_b2") : (g.draw([4], 0.05), undefined),
  };
}

function decoderWeights(seed: number, role: string, name: string): VaeWeights {
  const g = new GraphBuilder(name, Rng.derive(seed, role));
  return {
    g,
    w1: g.normal([4, 8, 4, 4], 1 / Math.sqrt(4), "dec_w1"),
    b1: g.normal([8], 0.05, "dec_b1"),
    w2: g.normal([8, 3, 2, 2], 1 / Math.sqrt(8), "dec_w2"),
    b2: g.normal([3], 0.05, "dec_b2"),
  };
}

const K1 = { kernel: 2, stride: 2 };
const K2 = { kernel: 4, stride: 4 };

/** sample [B,3,H,W] in [-1,1] → latent_sample [B,4,H/8,W/8] (unscaled, like the diffusers export). */
export function buildVaeEncoder(seed: number): Uint8Array {
  const { g, w1, b1, w2, b2 } = encoderWeights(seed, "tiny_vae_encoder");
  const x = g.input("sample", "float32", ["batch", 3, "height", "width"]);
  const a1 = g.tanh(g.convWith(x, w1, K1, b1));
  g.convWith(a1, w2, K2, b2, "latent_sample");
  g.output("latent_sample", "float32", ["batch", 4, "latent_height", "latent_width"]);
  return g.toBytes();
}

/** sample, grad_latent_sample → grad_sample = (∂latent/∂sample)ᵀ · grad. */
export function buildVaeEncoderVjp(seed: number): Uint8Array {
  const { g, w1, b1, w2 } = encoderWeights(seed, "tiny_vae_encoder_vjp", false);
  const x = g.input("sample", "float32", ["batch", 3, "height", "width"]);
  const gy = g.input("grad_latent_sample", "float32", ["batch", 4, "latent_height", "latent_width"]);
  const a1 = g.tanh(g.convWith(x, w1, K1, b1));
  const gA1 = g.convTransposeWith(gy, w2, K2);
  const gZ1 = g.mul(gA1, g.tanhDerivFromOutput(a1));
  g.convTransposeWith(gZ1, w1, K1, undefined, "grad_sample");
  g.output("grad_sample", "float32", ["batch", 3, "height", "width"]);
  return g.toBytes();
}

/** latent_sample [B,4,h,w] → sample [B,3,8h,8w] in (-1,1). Also the tiny specular/normal decoders. */
export function buildVaeDecoder(seed: number, role = "vae_decoder"): Uint8Array {
  const { g, w1, b1, w2, b2 } = decoderWeights(seed, role, `tiny_${role}`);
  const z = g.input("latent_sample", "float32", ["batch", 4, "latent_height", "latent_width"]);
  const a1 = g.tanh(g.convTransposeWith(z, w1, K2, b1));
  g.tanh(g.convTransposeWith(a1, w2, K1, b2), "sample");
  g.output("sample", "float32", ["batch", 3, "height", "width"]);
  return g.toBytes();
}

/** latent_sample, grad_sample → grad_latent_sample = (∂sample/∂latent)ᵀ · grad. */
export function buildVaeDecoderVjp(seed: number): Uint8Array {
  const { g, w1, b1, w2, b2 } = decoderWeights(seed, "vae_decoder", "tiny_vae_decoder_vjp");
  const z = g.input("latent_sample", "float32", ["batch", 4, "latent_height", "latent_width"]);
  const gy = g.input("grad_sample", "float32", ["batch", 3, "height", "width"]);
  const a1 = g.tanh(g.convTransposeWith(z, w1, K2, b1));
  const y = g.tanh(g.convTransposeWith(a1, w2, K1, b2));
  const gU2 = g.mul(gy, g.tanhDerivFromOutput(y));
  const gA1 = g.convWith(gU2, w2, K1);
  const gU1 = g.mul(gA1, g.tanhDerivFromOutput(a1));
  g.convWith(gU1, w1, K2, undefined, "grad_latent_sample");
  g.output("grad_latent_sample", "float32", ["batch", 4, "latent_height", "latent_width"]);
  return g.toBytes();
}

/** image [B,3,H,W] in [0,1] → restored [B,3,H,W]: a small residual conv net. */
export function buildRestore(seed: number): Uint8Array {
  const g = new GraphBuilder("tiny_restore", Rng.derive(seed, "restore"));
  const x = g.input("image", "float32", ["batch", 3, "height", "width"]);
  const h = g.tanh(g.conv(x, 3, 8, { kernel: 3, pad: 1 }));
  const r = g.conv(h, 8, 3, { kernel: 3, pad: 1, std: 0.02 });
  g.add(x, r, "restored");
  g.output("restored", "float32", ["batch", 3, "height", "width"]);
  return g.toBytes();
}

/** image [B,3,H,W] in [0,1] → upscaled [B,3,4H,4W]: pixel replication plus a seeded residual. */
export function buildUpscale(seed: number): Uint8Array {
  const g = new GraphBuilder("tiny_upscale", Rng.derive(seed, "upscale"));
  const x = g.input("image", "float32", ["batch", 3, "height", "width"]);
  const rep = new Float32Array(3 * 3 * 16);
  for (let c = 0; c < 3; c++) rep.fill(1, (c * 3 + c) * 16, (c * 3 + c + 1) * 16);
  const up = g.convTransposeWith(x, g.constant([3, 3, 4, 4], rep, "replicate"), K2);
  const detail = g.conv(g.tanh(g.conv(up, 3, 8, { kernel: 3, pad: 1 })), 8, 3, { kernel: 3, pad: 1, std: 0.02 });
  g.add(up, detail, "upscaled");
  g.output("upscaled", "float32", ["batch", 3, "height_x4", "width_x4"]);
  return g.toBytes();
}

/** image [B,3,299,299] in [0,1] → features [B,64] (the real role is Inception pool3, d = 2048). */
export function buildKidFeatures(seed: number): Uint8Array {
  const g = new GraphBuilder("tiny_kid_features", Rng.derive(seed, "kid_features"));
  const x = g.input("image", "float32", ["batch", 3, 299, 299]);
  const h = g.relu(g.conv(x, 3, 16, { kernel: 13, stride: 13 })); // [B,16,23,23]
  g.linear(g.mean(h, [2, 3]), 16, TINY_KID_DIM, {}, "features");
  g.output("features", "float32", ["batch", TINY_KID_DIM]);
  return g.toBytes();
}

/** Every tiny role this module builds, in a fixed order. */
export function buildCoreModels(seed: number): TinyModel[] {
  return [
    { role: "text_encoder", bytes: buildTextEncoder(seed) },
    { role: "unet", bytes: buildUnet(seed) },
    { role: "vae_encoder", bytes: buildVaeEncoder(seed) },
    { role: "vae_decoder", bytes: buildVaeDecoder(seed) },
    { role: "vae_encoder_vjp", bytes: buildVaeEncoderVjp(seed) },
    { role: "vae_decoder_vjp", bytes: buildVaeDecoderVjp(seed) },
    { role: "clip_text", bytes: buildClipText(seed) },
    { role: "clip_image", bytes: buildClipImage(seed) },
    { role: "texture_unet", bytes: buildUnet(seed, { inChannels: 5, role: "texture_unet" }) },
    { role: "texture_domain_tokens", bytes: buildTextureDomainTokens(seed) },
    { role: "specular_decoder", bytes: buildVaeDecoder(seed, "specular_decoder") },
    { role: "normal_decoder", bytes: buildVaeDecoder(seed, "normal_decoder") },
    { role: "restore", bytes: buildRestore(seed) },
    { role: "upscale", bytes: buildUpscale(seed) },
    { role: "kid_features", bytes: buildKidFeatures(seed) },
  ];
}

/**
 * The ANIMATION stage's tiny graphs live in models/tiny/animation.ts, which exports
 * `buildAnimationModels(seed: number): TinyModel[]` using GraphBuilder. It is optional so
 * the profile builds before (or without) that file.
 */
export async function buildAllModels(seed: number): Promise<TinyModel[]> {
  const models = buildCoreModels(seed);
  const animPath = fileURLToPath(new URL("./animation.ts", import.meta.url));
  if (existsSync(animPath)) {
    const mod = (await import(pathToFileURL(animPath).href)) as {
      buildAnimationModels?: (seed: number) => TinyModel[] | Promise<TinyModel[]>;
    };
    if (mod.buildAnimationModels) models.push(...(await mod.buildAnimationModels(seed)));
  }
  return models;
}
