/**
 * The signature of every model role, shared by all profiles. Names, dtypes and ranks follow
 * the public exports (../shared/reference/model-interfaces.md §1–3); where exporters differ,
 * every variant is listed and the engine wrappers (src/engine/models/) adapt to it.
 */
import { float, type IoSpec } from "./types.js";

// The fixed dims below are SD1.5's and CLIP ViT-L/14's (../shared/reference/model-interfaces.md):
// 77 tokens and 768-wide text states (§1.1 text_encoder last_hidden_state [B,77,768], unet
// encoder_hidden_states [B,77,768]); 4 latent channels (§1.1 unet sample/out_sample, §1.4 VAE
// `latent_channels: 4`; optimum ≥ 1.23's latent_parameters has 8 = mean ‖ logvar, §1.2); 3 image
// channels; CLIP projection 768 and 224² input (§3.1 `projection_dim: 768`, §3.4 pixel_values
// [B,3,224,224]). `models check` and every command's preflight compare them with the dims a file
// declares; a dim the file leaves symbolic (dynamic axes: the diffusers script declares
// `sample` [batch,channels,height,width]) cannot be compared and is accepted.
const ids: IoSpec = { name: "input_ids", dtypes: ["int32", "int64"], ranks: [2], dims: ["batch", 77] };
const timestep: IoSpec = { name: "timestep", dtypes: ["float32", "int64", "float16"], ranks: [0, 1], dims: ["batch"] };
/** A float tensor of fixed rank: the rank is the number of dims. */
const floatSpec = (name: string, dims: readonly (number | string)[]): IoSpec => ({ name, dtypes: float, ranks: [dims.length], dims });
const hidden = floatSpec("encoder_hidden_states", ["batch", 77, 768]);
const image = (name: string, dims: readonly (number | string)[] = ["batch", 3, "height", "width"]): IoSpec => floatSpec(name, dims);
const latent = (name: string, channels: number | string = 4): IoSpec => floatSpec(name, ["batch", channels, "latent_height", "latent_width"]);
const code = floatSpec("code", ["batch", 256]);
const map256 = (name: string): IoSpec => image(name, ["batch", 3, 256, 256]);

export interface RoleSignature {
  inputs: readonly IoSpec[];
  outputs: readonly IoSpec[];
  names: "exact" | "positional";
  about: string;
  /** true when no public weights exist: the user exports their own (see models/README.md). */
  userSupplied: boolean;
  /**
   * The public role this one is derived from when its file is absent (data-loaders/models/derive.ts:
   * the engine's ONNX autodiff or graph surgery, cached beside the source).
   */
  derivedFrom?: string;
  /**
   * Lowest default-domain opset a file may import. Public roles: 14, the default of every public
   * exporter (../shared/reference/model-interfaces.md: diffusers
   * scripts/convert_stable_diffusion_checkpoint_to_onnx.py `--opset` default 14 (§1.1); optimum's SD
   * configs `DEFAULT_ONNX_OPSET = 14`, "needs the Trilu operator" (§1.2); optimum CLIPOnnxConfig 14
   * (§3.4)). optimum-onnx exports at 18 pass. An older opset means another export than the cards describe.
   */
  minOpset?: number;
}

/** Roles with public weights (the rest are user-supplied) and roles whose values may be named freely. */
const PUBLIC = { userSupplied: false, minOpset: 14 } as const;
const POSITIONAL = { names: "positional" } as const;

/** One role: exact names and user-supplied unless `PUBLIC` / `POSITIONAL` says otherwise. */
function role(
  inputs: readonly IoSpec[],
  outputs: readonly IoSpec[],
  about: string,
  { names = "exact", userSupplied = true, derivedFrom, minOpset }: Partial<Pick<RoleSignature, "names" | "userSupplied" | "derivedFrom" | "minOpset">> = {},
): RoleSignature {
  return { inputs, outputs, names, about, userSupplied, ...(derivedFrom ? { derivedFrom } : {}), ...(minOpset ? { minOpset } : {}) };
}

export const ROLES: Record<string, RoleSignature> = {
  text_encoder: role(
    [ids],
    [floatSpec("last_hidden_state", ["batch", 77, 768]), floatSpec("pooler_output", ["batch", 768])],
    "SD1.5 CLIP text encoder; last_hidden_state conditions the UNet.",
    PUBLIC,
  ),
  unet: role(
    [latent("sample"), timestep, hidden],
    [latent("out_sample")],
    "SD1.5 ε-prediction UNet. timestep: float32 [B] (diffusers script, new), int64 [B] (old script, optimum < 1.24), float32 scalar [] (optimum ≥ 1.24), float16 (fp16 exports).",
    PUBLIC,
  ),
  vae_encoder: role(
    [image("sample")],
    [{ ...latent("latent_sample", "4|8"), aliases: ["latent_parameters"] }],
    "Image in [-1,1] → latent_sample [B,4,H/8,W/8] (a sample, unscaled) or latent_parameters [B,8,H/8,W/8] (mean ‖ logvar, optimum ≥ 1.23). The wrapper takes the mean and multiplies by 0.18215.",
    PUBLIC,
  ),
  vae_decoder: role(
    [latent("latent_sample")],
    [image("sample")],
    "Unscaled latent (÷0.18215 done by the wrapper) → image in about [-1,1], [B,3,8h,8w].",
    PUBLIC,
  ),
  vae_encoder_vjp: role(
    [image("sample"), latent("grad_latent_sample")],
    [image("grad_sample")],
    "Exact vector-Jacobian product of vae_encoder: (∂latent/∂sample)ᵀ·grad. Derived from vae_encoder by the ONNX autodiff when absent (for latent_parameters exports: the cotangent of the mean, zero for logvar).",
    { derivedFrom: "vae_encoder" },
  ),
  vae_decoder_vjp: role(
    [latent("latent_sample"), image("grad_sample")],
    [latent("grad_latent_sample")],
    "Exact vector-Jacobian product of vae_decoder: (∂sample/∂latent_sample)ᵀ·grad. Derived from vae_decoder by the ONNX autodiff when absent.",
    { derivedFrom: "vae_decoder" },
  ),
  unet_cond_vjp: role(
    [latent("sample"), timestep, hidden, latent("grad_out_sample")],
    [floatSpec("grad_encoder_hidden_states", ["batch", 77, 768])],
    "Vector-Jacobian product of unet w.r.t. its conditioning encoder_hidden_states (prompt tuning). Derived from unet by the ONNX autodiff.",
    { derivedFrom: "unet" },
  ),
  text_encoder_embeds: role(
    [ids, floatSpec("inputs_embeds", ["batch", 77, "embed_dim"])],
    [floatSpec("last_hidden_state", ["batch", 77, 768]), floatSpec("pooler_output", ["batch", 768])],
    "text_encoder with its token-embedding Gather cut out: token embeddings enter as inputs_embeds (768 wide for SD1.5), so learned domain tokens condition as in Eq. 9. Derived from text_encoder by graph surgery.",
    { derivedFrom: "text_encoder" },
  ),
  text_encoder_embeds_vjp: role(
    [ids, floatSpec("inputs_embeds", ["batch", 77, "embed_dim"]), floatSpec("grad_last_hidden_state", ["batch", 77, 768])],
    [floatSpec("grad_inputs_embeds", ["batch", 77, "embed_dim"])],
    "Vector-Jacobian product of text_encoder_embeds' last_hidden_state w.r.t. inputs_embeds. Derived from text_encoder.",
    { derivedFrom: "text_encoder" },
  ),
  token_embeddings: role(
    [ids],
    [floatSpec("inputs_embeds", ["batch", 77, "embed_dim"])],
    "text_encoder's token-embedding lookup alone (the part text_encoder_embeds cuts out): the prompt's token embeddings, to which Eq. 9's learned vectors are concatenated. Derived from text_encoder by graph surgery.",
    { derivedFrom: "text_encoder" },
  ),
  clip_text: role(
    [{ ...ids, dims: ["batch_size", 77] }],
    [floatSpec("text_embeds", ["batch_size", 768])],
    "CLIP ViT-L/14 text tower with projection (Xenova split text_model.onnx); embeddings are NOT normalised.",
    PUBLIC,
  ),
  clip_image: role(
    [image("pixel_values", ["batch_size", 3, 224, 224])],
    [floatSpec("image_embeds", ["batch_size", 768])],
    "CLIP ViT-L/14 vision tower with projection (Xenova split vision_model.onnx); input is CLIP-normalised 224², embeddings NOT normalised.",
    PUBLIC,
  ),
  texture_unet: role(
    [latent("sample", 5), timestep, hidden],
    [latent("out_sample")],
    "DreamFace texture LDM: 4 latent channels + 1 non-face mask channel B in (all ones at inference asks for a texture free of non-face elements, paper Sec. 5.1), ε out.",
  ),
  texture_domain_tokens: role(
    [{ name: "index", dtypes: ["int64"], ranks: [1], dims: ["n"] }],
    [floatSpec("token_embeds", ["n", "embed_dim"])],
    "The texture LDM's learned domain tokens: index 0 = desired (UV texture) domain, 1 = undesired. Token embeddings as wide as text_encoder's token table (768 for SD1.5): they enter the text encoder's input embeddings after the prompt's tokens (Eq. 9, via text_encoder_embeds).",
  ),
  specular_decoder: role([latent("latent_sample")], [image("sample")], "Fine-tuned VAE decoder: texture latent → specular map in about [-1,1]."),
  normal_decoder: role([latent("latent_sample")], [image("sample")], "Fine-tuned VAE decoder: texture latent → tangent-space normal map in about [-1,1]."),
  restore: role([image("image")], [image("restored")], "Texture restoration: image [B,3,H,W] in [0,1] → same size.", POSITIONAL),
  upscale: role(
    [image("image")],
    [image("upscaled", ["batch", 3, "height_x4", "width_x4"])],
    "4× super-resolution: image [B,3,H,W] in [0,1] → [B,3,4H,4W].",
    POSITIONAL,
  ),
  kid_features: role(
    [image("image", ["batch", 3, 299, 299])],
    [floatSpec("features", ["batch", "d"])],
    "KID feature net: image [B,3,299,299] in [0,1] → features [B,d] (Inception-v3 pool3, d = 2048; tiny: d = 64).",
    POSITIONAL,
  ),
  // The ANIMATION stage's networks (paper Sec. 6); tiny graphs in models/tiny/animation.ts.
  anim_e_geo: role([map256("geometry_map")], [code], "Geometry encoder: UV-space position map (cm) → expression code."),
  anim_e_exp: role([map256("image")], [code], "Expression encoder: face crop, RGB in [0,1] → expression code."),
  anim_g_geo: role(
    [map256("neutral_map"), code],
    [map256("geometry_map")],
    "Geometry generator: neutral position map + expression code → expressive position map.",
  ),
};

/** Built by models/tiny/animation.ts; `build-tiny --core` leaves them out. */
export const ANIMATION_ROLES: readonly string[] = ["anim_e_geo", "anim_e_exp", "anim_g_geo"];
