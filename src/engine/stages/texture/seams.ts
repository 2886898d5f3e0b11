/**
 * The two seams of the texture stage, in the stage's own terms (channels-last arrays, images
 * in [0, 1], latents in UNet space, i.e. VAE latent × 0.18215). `models.ts` builds
 * TextureModels over a Backend; `scene.ts` builds TextureScene over the renderer. Keeping the
 * SDS steps behind these lets one test check their gradients against finite differences.
 */
import type { Rng } from "../../util/rng.js";

export interface TextureModels {
  /** Latent side (64 for SD 1.5 at 512²) and the VAE's spatial factor (8). */
  readonly latentSize: number;
  readonly vaeFactor: number;
  /** "exact" when VJP graphs are loaded, "linear-approx" when the published linear factors stand in. */
  readonly vaeGradient: "exact" | "linear-approx";
  /** ε̂ of the generic UNet with classifier-free guidance on the user prompt P. `[h*w*4]` */
  genericEps(noisy: Float32Array, t: number, guidance: number): Promise<Float32Array>;
  /** ε̂ of the texture UNet on Q(P, C_d) (Eq. 9: P's token embeddings + the learned desired-domain token), all-ones non-face mask. */
  textureEps(noisy: Float32Array, t: number, guidance: number): Promise<Float32Array>;
  /** D(z): latent `[h*w*4]` → diffuse `[(8h)*(8w)*3]` in [0, 1] (not clamped: gradients must flow). */
  decode(z: Float32Array): Promise<Float32Array>;
  /** (∂D/∂z)ᵀ·dImage. */
  decodeVjp(z: Float32Array, dImage: Float32Array): Promise<Float32Array>;
  /** E(I): image `[(8h)*(8w)*3]` in [0, 1] → latent `[h*w*4]` (the mean, deterministic). */
  encode(image: Float32Array): Promise<Float32Array>;
  /** (∂E/∂I)ᵀ·dLatent. */
  encodeVjp(image: Float32Array, dLatent: Float32Array): Promise<Float32Array>;
}

/** One differentiable render of a texture, with the transpose of its Jacobian w.r.t. that texture. */
export interface RenderedView {
  readonly image: Float32Array; // [size*size*channels]
  readonly size: number;
  readonly channels: number;
  /** Which pixels the face covers (1) vs background (0). `[size*size]` */
  readonly coverage: Uint8Array;
  /** dL/dImage → dL/dTexture (same layout as the texture rendered); call it before the scene renders another view. */
  backward(dImage: Float32Array): Promise<Float32Array>;
  /** Camera/light parameters drawn for this view, for the trajectory log. */
  readonly params: Record<string, number>;
}

/**
 * Textures reach the scene as a tile stack: `tiles` square tile images one after the other
 * (`[tiles*s*s*C]`; tile 0 the face the paper's z covers, tile 1 ICT's head and neck), which
 * the scene joins into the atlas the mesh's UVs address (face/atlas.ts). `backward` returns
 * the gradient in the same stacked layout.
 */
export interface TextureScene {
  /** How many UV tiles the mesh's atlas holds (1 for a one-tile mesh, 2 for ICT's region). */
  readonly tiles: number;
  /** Eq. 10: the latent tiles `[tiles*h*w*4]` as a 4-channel texture on T†, random camera and background. */
  latentView(z: Float32Array, size: number, rng: Rng, background: "random" | "noise" | "solid"): Promise<RenderedView>;
  /** Eq. 13: T† with diffuse tiles `[tiles*S*S*3]`, detail normals N_d and a random directional light. */
  imageView(diffuse: Float32Array, size: number, rng: Rng, background: "random" | "noise" | "solid"): Promise<RenderedView>;
}
