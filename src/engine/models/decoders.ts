/**
 * The texture stage's decoders and image nets. decodeSpecular/decodeNormal take UNet-space
 * texture latents like vaeDecode (they are fine-tuned VAE decoders); restore/upscale take
 * images in [0,1]; kidFeatures takes [B,3,299,299] in [0,1].
 */
import type { Backend, Tensor } from "./backend.js";
import { runPositional, pick, runRole } from "./adapt.js";
import { asFloat32, asFloat32Tensor, tensor } from "./tensor.js";
import { vaeDecode } from "./vae.js";

export const decodeSpecular = (backend: Backend, latents: Tensor): Promise<Tensor> => vaeDecode(backend, latents, "specular_decoder");
export const decodeNormal = (backend: Backend, latents: Tensor): Promise<Tensor> => vaeDecode(backend, latents, "normal_decoder");

/** Image [B,3,H,W] → restored image, same size. */
export async function restore(backend: Backend, image: Tensor): Promise<Tensor> {
  return asFloat32Tensor(await runPositional(backend, "restore", image));
}

/** Image [B,3,H,W] → [B,3,4H,4W]. */
export async function upscale(backend: Backend, image: Tensor): Promise<Tensor> {
  return asFloat32Tensor(await runPositional(backend, "upscale", image));
}

/** Image [B,3,299,299] → features [B,d] for KID. */
export async function kidFeatures(backend: Backend, image: Tensor): Promise<Tensor> {
  return asFloat32Tensor(await runPositional(backend, "kid_features", image));
}

/** CLIP image embedding [B,768] from CLIP-preprocessed pixels [B,3,224,224]; NOT normalised. */
export async function clipImageEmbed(backend: Backend, pixelValues: Tensor): Promise<Tensor> {
  const r = await runRole(backend, "clip_image", { pixel_values: pixelValues });
  return asFloat32Tensor(pick(r, "clip_image", "image_embeds"));
}

/**
 * The texture LDM's learned domain tokens: token embeddings as wide as text_encoder's token
 * table (768 for SD1.5, 8 for tiny). The texture stage concatenates them to the prompt's token
 * embeddings, the text encoder's input (Eq. 9; models/README.md).
 */
export async function textureDomainTokens(backend: Backend): Promise<{ desired: Float32Array; undesired: Float32Array }> {
  const r = await runRole(backend, "texture_domain_tokens", { index: tensor("int64", BigInt64Array.from([0n, 1n]), [2]) });
  const e = asFloat32(pick(r, "texture_domain_tokens", "token_embeds"));
  const d = e.length / 2;
  return { desired: e.slice(0, d), undesired: e.slice(d) };
}
