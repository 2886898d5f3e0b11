/**
 * The signature of every model role, shared by all profiles. Names, dtypes and ranks follow
 * the public exports (../shared/reference/model-interfaces.md §1–3); where exporters differ,
 * every variant is listed and the engine wrappers (src/engine/models/) adapt to it.
 */
import { float, type IoSpec } from "./types.js";

const ids: IoSpec = { name: "input_ids", dtypes: ["int32", "int64"], ranks: [2], dims: ["batch", 77] };
const timestep: IoSpec = { name: "timestep", dtypes: ["float32", "int64", "float16"], ranks: [0, 1], dims: ["batch"] };
const hidden: IoSpec = { name: "encoder_hidden_states", dtypes: float, ranks: [3], dims: ["batch", 77, 768] };
const image = (name: string, dims: readonly (number | string)[] = ["batch", 3, "height", "width"]): IoSpec => ({ name, dtypes: float, ranks: [4], dims });
const latent = (name: string, channels: number | string = 4): IoSpec => ({ name, dtypes: float, ranks: [4], dims: ["batch", channels, "latent_height", "latent_width"] });

export interface RoleSignature {
  inputs: readonly IoSpec[];
  outputs: readonly IoSpec[];
  names: "exact" | "positional";
  about: string;
  /** true when no public weights exist: the user exports their own (see models/README.md). */
  userSupplied: boolean;
}

export const ROLES: Record<string, RoleSignature> = {
  text_encoder: {
    inputs: [ids],
    outputs: [
      { name: "last_hidden_state", dtypes: float, ranks: [3], dims: ["batch", 77, 768] },
      { name: "pooler_output", dtypes: float, ranks: [2], dims: ["batch", 768] },
    ],
    names: "exact",
    about: "SD1.5 CLIP text encoder; last_hidden_state conditions the UNet.",
    userSupplied: false,
  },
  unet: {
    inputs: [latent("sample"), timestep, hidden],
    outputs: [latent("out_sample")],
    names: "exact",
    about: "SD1.5 ε-prediction UNet. timestep: float32 [B] (diffusers script, new), int64 [B] (old script, optimum < 1.24), float32 scalar [] (optimum ≥ 1.24), float16 (fp16 exports).",
    userSupplied: false,
  },
  vae_encoder: {
    inputs: [image("sample")],
    outputs: [{ ...latent("latent_sample", "4|8"), aliases: ["latent_parameters"] }],
    names: "exact",
    about: "Image in [-1,1] → latent_sample [B,4,H/8,W/8] (a sample, unscaled) or latent_parameters [B,8,H/8,W/8] (mean ‖ logvar, optimum ≥ 1.23). The wrapper takes the mean and multiplies by 0.18215.",
    userSupplied: false,
  },
  vae_decoder: {
    inputs: [latent("latent_sample")],
    outputs: [image("sample")],
    names: "exact",
    about: "Unscaled latent (÷0.18215 done by the wrapper) → image in about [-1,1], [B,3,8h,8w].",
    userSupplied: false,
  },
  vae_encoder_vjp: {
    inputs: [image("sample"), latent("grad_latent_sample")],
    outputs: [image("grad_sample")],
    names: "exact",
    about: "Exact vector-Jacobian product of vae_encoder: (∂latent_sample/∂sample)ᵀ·grad. For SD1.5 export it yourself (torch.func.vjp of the encoder mean).",
    userSupplied: true,
  },
  vae_decoder_vjp: {
    inputs: [latent("latent_sample"), image("grad_sample")],
    outputs: [latent("grad_latent_sample")],
    names: "exact",
    about: "Exact vector-Jacobian product of vae_decoder: (∂sample/∂latent_sample)ᵀ·grad. For SD1.5 export it yourself.",
    userSupplied: true,
  },
  clip_text: {
    inputs: [{ ...ids, dims: ["batch_size", 77] }],
    outputs: [{ name: "text_embeds", dtypes: float, ranks: [2], dims: ["batch_size", 768] }],
    names: "exact",
    about: "CLIP ViT-L/14 text tower with projection (Xenova split text_model.onnx); embeddings are NOT normalised.",
    userSupplied: false,
  },
  clip_image: {
    inputs: [image("pixel_values", ["batch_size", 3, 224, 224])],
    outputs: [{ name: "image_embeds", dtypes: float, ranks: [2], dims: ["batch_size", 768] }],
    names: "exact",
    about: "CLIP ViT-L/14 vision tower with projection (Xenova split vision_model.onnx); input is CLIP-normalised 224², embeddings NOT normalised.",
    userSupplied: false,
  },
  texture_unet: {
    inputs: [latent("sample", 5), timestep, hidden],
    outputs: [latent("out_sample")],
    names: "exact",
    about: "DreamFace texture LDM: 4 latent channels + 1 non-face mask channel B in (all ones at inference asks for a texture free of non-face elements, paper Sec. 5.1), ε out.",
    userSupplied: true,
  },
  texture_domain_tokens: {
    inputs: [{ name: "index", dtypes: ["int64"], ranks: [1], dims: ["n"] }],
    outputs: [{ name: "token_embeds", dtypes: float, ranks: [2], dims: ["n", 768] }],
    names: "exact",
    about: "The texture LDM's learned domain tokens: index 0 = desired (UV texture) domain, 1 = undesired. They replace placeholder positions in the prompt's text_encoder hidden states.",
    userSupplied: true,
  },
  specular_decoder: {
    inputs: [latent("latent_sample")],
    outputs: [image("sample")],
    names: "exact",
    about: "Fine-tuned VAE decoder: texture latent → specular map in about [-1,1].",
    userSupplied: true,
  },
  normal_decoder: {
    inputs: [latent("latent_sample")],
    outputs: [image("sample")],
    names: "exact",
    about: "Fine-tuned VAE decoder: texture latent → tangent-space normal map in about [-1,1].",
    userSupplied: true,
  },
  restore: {
    inputs: [image("image")],
    outputs: [image("restored")],
    names: "positional",
    about: "Texture restoration: image [B,3,H,W] in [0,1] → same size.",
    userSupplied: true,
  },
  upscale: {
    inputs: [image("image")],
    outputs: [image("upscaled", ["batch", 3, "height_x4", "width_x4"])],
    names: "positional",
    about: "4× super-resolution: image [B,3,H,W] in [0,1] → [B,3,4H,4W].",
    userSupplied: true,
  },
  kid_features: {
    inputs: [image("image", ["batch", 3, 299, 299])],
    outputs: [{ name: "features", dtypes: float, ranks: [2], dims: ["batch", "d"] }],
    names: "positional",
    about: "KID feature net: image [B,3,299,299] in [0,1] → features [B,d] (Inception-v3 pool3, d = 2048; tiny: d = 64).",
    userSupplied: true,
  },
  // The ANIMATION stage's networks (paper Sec. 6); tiny graphs in models/tiny/animation.ts.
  anim_e_geo: {
    inputs: [image("geometry_map", ["batch", 3, 256, 256])],
    outputs: [{ name: "code", dtypes: float, ranks: [2], dims: ["batch", 256] }],
    names: "exact",
    about: "Geometry encoder: UV-space position map (cm) → expression code.",
    userSupplied: true,
  },
  anim_e_exp: {
    inputs: [image("image", ["batch", 3, 256, 256])],
    outputs: [{ name: "code", dtypes: float, ranks: [2], dims: ["batch", 256] }],
    names: "exact",
    about: "Expression encoder: face crop, RGB in [0,1] → expression code.",
    userSupplied: true,
  },
  anim_g_geo: {
    inputs: [image("neutral_map", ["batch", 3, 256, 256]), { name: "code", dtypes: float, ranks: [2], dims: ["batch", 256] }],
    outputs: [image("geometry_map", ["batch", 3, 256, 256])],
    names: "exact",
    about: "Geometry generator: neutral position map + expression code → expressive position map.",
    userSupplied: true,
  },
};

/** Built by models/tiny/animation.ts; `build-tiny --core` leaves them out. */
export const ANIMATION_ROLES: readonly string[] = ["anim_e_geo", "anim_e_exp", "anim_g_geo"];
