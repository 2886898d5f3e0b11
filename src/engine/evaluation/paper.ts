// The paper's published numbers, shown beside ours as reference values and never recomputed:
// no code path writes them from a measurement.

/** Fig. 13: KID of 1,000 texture-LDM samples against the full dataset and the desired domain. */
export const PAPER_FIG13_KID = {
  "wo-mp": { full: 0.1282, desired: 0.2737 },
  "wo-prompt": { full: 0.2467, desired: 0.1068 },
  full: { full: 0.2125, desired: 0.0578 },
} as const;

export type Fig13Variant = keyof typeof PAPER_FIG13_KID;

/** Fig. 18: CLIP score against "the realistic face of {name}" over 10 characters, and time per asset. */
export const PAPER_FIG18_CLIP = [
  { method: "Text2Mesh", clipScore: 0.2109, time: "~15 min", minutes: 15 },
  { method: "AvatarCLIP", clipScore: 0.2812, time: "~5 h", minutes: 300 },
  { method: "Stable-DreamFusion", clipScore: 0.2594, time: "~2.5 h", minutes: 150 },
  { method: "DreamFace", clipScore: 0.2934, time: "~5 min", minutes: 5 },
] as const;
