/**
 * A short hand-keyed clip used by the workbench page, its loaders and tests: neutral → jaw open
 * → smile → blink → brows + pucker → neutral over 3 s, monotone cubic. Only ICT/ARKit names
 * that exist in `names` are keyed, so it works on any subset of the expressions.
 */
import { createClip, type ExpressionClip, type Interpolation } from "./clip.js";

const KEYS: readonly { time: number; weights: Record<string, number> }[] = [
  { time: 0, weights: {} },
  { time: 0.6, weights: { jawOpen: 0.7, mouthFunnel: 0.2 } },
  { time: 1.2, weights: { mouthSmile_L: 0.9, mouthSmile_R: 0.9, cheekSquint_L: 0.4, cheekSquint_R: 0.4 } },
  { time: 1.8, weights: { eyeBlink_L: 1, eyeBlink_R: 1, mouthSmile_L: 0.3, mouthSmile_R: 0.3 } },
  { time: 2.4, weights: { browInnerUp_L: 0.9, browInnerUp_R: 0.9, mouthPucker: 0.7 } },
  { time: 3, weights: {} },
];

export function demoClip(names: readonly string[], interpolation: Interpolation = "cubic"): ExpressionClip {
  const keys = KEYS.map((k) => ({ time: k.time, weights: Object.fromEntries(Object.entries(k.weights).filter(([n]) => names.includes(n))) }));
  return createClip("demo", names, keys, interpolation);
}

/** The expression names the demo clip keys (for assets that only carry those targets). */
export const DEMO_CLIP_TARGETS: readonly string[] = [...new Set(KEYS.flatMap((k) => Object.keys(k.weights)))];
