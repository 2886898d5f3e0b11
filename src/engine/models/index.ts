/** Typed model wrappers over a Backend: every variant of the public exports is handled here. */
export type { Backend, ModelSession, Tensor, TensorDType, ValueInfo } from "./backend.js";
export { conform, runRole, runPositional } from "./adapt.js";
export { tensor, f32, cast, asFloat32, concat0, split0, toHalf, fromHalf, sizeOf } from "./tensor.js";
export { encodeText, encodeTextEmbeds, tokenEmbeddings, clipTextEmbed, idsTensor, CONTEXT_LENGTH } from "./text.js";
export { unetEps, unetEpsPair, acceptsBatch } from "./unet.js";
export { vaeEncode, vaeDecode, vaeEncodeVjp, vaeDecodeVjp, LATENT_SCALE } from "./vae.js";
export { decodeSpecular, decodeNormal, restore, upscale, kidFeatures, clipImageEmbed, textureDomainTokens } from "./decoders.js";
