/**
 * Per-region weights of MediaPipe Face Mesh's 468 landmarks in the fit's data term. The
 * expression lives in the lips, eyelids and brows (weighted up); the face oval sits on the
 * silhouette, where the detector slides with pose and the ICT correspondence is weakest
 * (weighted down). Index lists are MediaPipe's FACEMESH_* connection sets.
 */
export const MEDIAPIPE_REGIONS = {
  faceOval: [10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109],
  lips: [61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 185, 40, 39, 37, 0, 267, 269, 270, 409, 78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 191, 80, 81, 82, 13, 312, 311, 310, 415],
  leftEye: [263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398],
  rightEye: [33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173],
  leftBrow: [276, 283, 282, 295, 285, 300, 293, 334, 296, 336],
  rightBrow: [46, 53, 52, 65, 55, 70, 63, 105, 66, 107],
} as const;

export interface RegionWeights {
  faceOval: number;
  lips: number;
  eyes: number;
  brows: number;
}

export const DEFAULT_REGION_WEIGHTS: RegionWeights = { faceOval: 0.25, lips: 3, eyes: 3, brows: 2 };

/** `[count]` landmark weights: 1 everywhere, the region's weight on its landmarks. */
export function regionWeights(count = 468, w: RegionWeights = DEFAULT_REGION_WEIGHTS): Float64Array {
  const out = new Float64Array(count).fill(1);
  const set = (idx: readonly number[], v: number) => { for (const i of idx) if (i < count) out[i] = v; };
  set(MEDIAPIPE_REGIONS.faceOval, w.faceOval);
  set(MEDIAPIPE_REGIONS.lips, w.lips);
  set(MEDIAPIPE_REGIONS.leftEye, w.eyes);
  set(MEDIAPIPE_REGIONS.rightEye, w.eyes);
  set(MEDIAPIPE_REGIONS.leftBrow, w.brows);
  set(MEDIAPIPE_REGIONS.rightBrow, w.brows);
  return out;
}
