/**
 * The published linear map from SD latents (scaled by 0.18215) to RGB in about [-1, 1]
 * (Kevin Turner, HF forum thread 23204, SD v1.4; no bias) and its pseudo-inverse. Used for
 * latent previews (labelled as such) and as the labelled Jacobian approximation of the VAE
 * when exact VJP graphs are absent: D(z) ≈ up8(Fᵀz), E(I) ≈ P·down8(I) with P = pinv(Fᵀ).
 */

/** F[l][c]: latent channel l → RGB channel c. */
export const LATENT_RGB_FACTORS: readonly (readonly [number, number, number])[] = [
  [0.298, 0.207, 0.208],
  [0.187, 0.286, 0.173],
  [-0.158, 0.189, 0.264],
  [-0.184, -0.271, -0.473],
];

/** P[l][c] = (F (FᵀF)⁻¹)[l][c]: the least-norm latent for an RGB value (Fᵀ P = I₃). */
export const RGB_LATENT_PINV: readonly (readonly number[])[] = (() => {
  const F = LATENT_RGB_FACTORS;
  const G = [0, 1, 2].map((a) => [0, 1, 2].map((b) => F.reduce((s, row) => s + row[a]! * row[b]!, 0)));
  const inv = invert3(G);
  return F.map((row) => [0, 1, 2].map((c) => row[0]! * inv[0]![c]! + row[1]! * inv[1]![c]! + row[2]! * inv[2]![c]!));
})();

function invert3(m: number[][]): number[][] {
  const [a, b, c] = m[0]!, [d, e, f] = m[1]!, [g, h, i] = m[2]!;
  const A = e! * i! - f! * h!, B = -(d! * i! - f! * g!), C = d! * h! - e! * g!;
  const det = a! * A + b! * B + c! * C;
  return [
    [A / det, -(b! * i! - c! * h!) / det, (b! * f! - c! * e!) / det],
    [B / det, (a! * i! - c! * g!) / det, -(a! * f! - c! * d!) / det],
    [C / det, -(a! * h! - b! * g!) / det, (a! * e! - b! * d!) / det],
  ];
}

/** Latent `[H*W*4]` → preview RGB `[H*W*3]` in [0, 1] (clamped), same resolution. */
export function latentPreview(latent: Float32Array, out = new Float32Array((latent.length / 4) * 3)): Float32Array {
  const F = LATENT_RGB_FACTORS;
  const n = latent.length / 4;
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < 3; c++) {
      let v = 0;
      for (let l = 0; l < 4; l++) v += latent[p * 4 + l]! * F[l]![c]!;
      out[p * 3 + c] = Math.min(1, Math.max(0, (v + 1) / 2));
    }
  }
  return out;
}

/**
 * Transpose of the approximate decoder Jacobian: dL/dImage (`[(8h)*(8w)*3]`, image in [0, 1])
 * → dL/dz (`[h*w*4]`). Forward model: I = (Fᵀz + 1)/2 replicated over each 8×8 block.
 */
export function decoderVjpLinear(dImage: Float32Array, h: number, w: number, factor = 8): Float32Array {
  const W = w * factor;
  const out = new Float32Array(h * w * 4);
  const F = LATENT_RGB_FACTORS;
  for (let y = 0; y < h * factor; y++) {
    const py = Math.floor(y / factor);
    for (let x = 0; x < W; x++) {
      const p = py * w + Math.floor(x / factor);
      const q = (y * W + x) * 3;
      for (let l = 0; l < 4; l++)
        out[p * 4 + l]! += 0.5 * (F[l]![0]! * dImage[q]! + F[l]![1]! * dImage[q + 1]! + F[l]![2]! * dImage[q + 2]!);
    }
  }
  return out;
}

/**
 * Transpose of the approximate encoder Jacobian: dL/dz (`[h*w*4]`) → dL/dImage
 * (`[(8h)*(8w)*3]`, image in [0, 1]). Forward model: z = P·(2·mean₈ₓ₈(I) − 1).
 */
export function encoderVjpLinear(dLatent: Float32Array, h: number, w: number, factor = 8): Float32Array {
  const W = w * factor;
  const out = new Float32Array(h * factor * W * 3);
  const P = RGB_LATENT_PINV;
  const s = 2 / (factor * factor);
  for (let y = 0; y < h * factor; y++) {
    const py = Math.floor(y / factor);
    for (let x = 0; x < W; x++) {
      const p = (py * w + Math.floor(x / factor)) * 4;
      const q = (y * W + x) * 3;
      for (let c = 0; c < 3; c++) {
        let v = 0;
        for (let l = 0; l < 4; l++) v += P[l]![c]! * dLatent[p + l]!;
        out[q + c] = s * v;
      }
    }
  }
  return out;
}
