/**
 * The animation stage's settings (experiment section `animation`, and the resolved config in
 * `dreamface animate` manifests), validated with zod and filled with defaults.
 */
import { z } from "zod";
import { FIT_DEFAULTS } from "./sequence.js";

/** "blendshape": fitted ICT weights; "personalized": G_geo(T†, E_exp(frame)) per frame. */
export const animationPathSchema = z.enum(["blendshape", "personalized"]);
export const interpolationSchema = z.enum(["linear", "step", "cubic"]);
export const ANIMATION_PATHS = animationPathSchema.options;
export const INTERPOLATIONS = interpolationSchema.options;

export const animationConfigSchema = z
  .object({
    path: animationPathSchema.default("blendshape"),
    /** Frames sampled per second of video (images: frames per second of the clip). */
    fps: z.number().positive().max(120).optional(),
    maxFrames: z.number().int().min(1).default(900),
    /** Fit 2-D (x, y) or 3-D (x, y, z) MediaPipe landmarks. */
    dims: z.union([z.literal(2), z.literal(3)]).default(2),
    interpolation: interpolationSchema.default("linear"),
    fit: z
      .object({
        /** λ of the Tikhonov prior on the weights (cm² per landmark). */
        tikhonov: z.number().min(0).default(FIT_DEFAULTS.tikhonov),
        /** μ pulling each frame towards the previous one. */
        temporal: z.number().min(0).default(0.002),
        /** Identity modes estimated on the first `identityFrames` frames (then held fixed); 0 = none. */
        identityModes: z.number().int().min(0).max(100).default(30),
        /** Frames with a face the identity is estimated over (one β shared by them), then frozen. */
        identityFrames: z.number().int().min(1).max(300).default(FIT_DEFAULTS.identityFrames),
        /** γ of the prior on those identity coefficients. */
        identityPrior: z.number().min(0).default(1e-4),
        /** The first frame is a neutral face (a video starting at rest): its weights are 0 and it becomes the reference. */
        neutralFirst: z.boolean().default(false),
        /** L1 weight selecting few active expressions (fitLandmarks' `sparsity`). */
        sparsity: z.number().min(0).default(FIT_DEFAULTS.sparsity),
        /** Share η of opposed shapes' negative coupling removed (fitLandmarks' `decouple`). */
        decouple: z.number().min(0).max(1).default(FIT_DEFAULTS.decouple),
        /** Refit the selected shapes without the prior's shrinkage; false = one fit. */
        debias: z
          .union([z.literal(false), z.object({ threshold: z.number().min(0).max(1), tikhonov: z.number().min(0) }).strict()])
          .default(FIT_DEFAULTS.debias),
        /** Read the landmarks through the calibration's noise model (fewer spurious weights, driven weights lower). */
        noiseModel: z.boolean().default(FIT_DEFAULTS.noise),
        /** Focal length in image heights (perspective fit), "estimate" (on the first frame) or "weak" (weak perspective). */
        focal: z.union([z.number().positive(), z.literal("estimate"), z.literal("weak")]).default("estimate"),
      })
      .strict()
      .prefault({}),
    /** One-Euro smoothing of the weights over time; false = off. */
    smoothing: z
      .union([z.literal(false), z.object({ minCutoff: z.number().positive().default(1.5), beta: z.number().min(0).default(0.5), derivativeCutoff: z.number().positive().default(1) }).strict()])
      .default({ minCutoff: 1.5, beta: 0.5, derivativeCutoff: 1 }),
    /** Model profile of the personalized path ("tiny" = random weights: a test signal). */
    profile: z.string().min(1).default("tiny"),
  })
  .strict();

export type AnimationConfig = z.infer<typeof animationConfigSchema>;

/** Parses (and fills defaults of) an animation section; throws a message naming the bad field. */
export function parseAnimationConfig(input: unknown = {}): AnimationConfig {
  const r = animationConfigSchema.safeParse(input ?? {});
  if (!r.success) throw new Error(`animation config: ${r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
  return r.data;
}
