/**
 * The stage keeps images and latents channels-last (`[H*W*C]`, the renderer's texture layout)
 * and converts at the model boundary, where ONNX graphs take NCHW `[1, C, H, W]`.
 */
import { interleavedToPlanar, planarToInterleaved } from "../../image/layout.js";

export function hwcToNchw(src: Float32Array, h: number, w: number, c: number, out = new Float32Array(h * w * c)): Float32Array {
  return interleavedToPlanar(src, h * w, c, out);
}

export function nchwToHwc(src: Float32Array, h: number, w: number, c: number, out = new Float32Array(h * w * c)): Float32Array {
  return planarToInterleaved(src, h * w, c, out);
}

export { axpy, l2norm } from "../../util/vec.js";
