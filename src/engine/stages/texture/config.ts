/**
 * The texture stage's experiment section (paper Sec. 5), validated with zod and filled with
 * defaults. Every scalar weight, guidance scale, learning rate and t bound may be a Schedule
 * over the stage's global step (latent steps first, then image steps).
 */
import { z } from "zod";
import { sdsWeightingSchema } from "../../config/weighting.js";
import { azimuthRangeSchema, renderBandsSchema } from "../../config/views.js";
import { fractionScheduleSchema, nonNegativeScheduleSchema, T_RANGE_MESSAGE, tRangeOrdered } from "../../config/schedule-schema.js";

const stageSchema = (steps: number, lr: number, renderSize: number) =>
  z
    .object({
      /** Optimization steps of this stage (paper: 200 each). 0 skips the stage. */
      steps: z.number().int().min(0).default(steps),
      lr: nonNegativeScheduleSchema.default(lr),
      /** Side of the square render the generic path scores. */
      renderSize: z.number().int().min(8).max(1024).default(renderSize),
    })
    .strict()
    .prefault({});

/** Which ablation of Sec. 7.3.3 this is: both paths in both stages, or a reduced one. */
const variantSchema = z.enum(["full", "wo-texture", "wo-lt"]);
/**
 * How the decreasing t spans the two stages: "across-stages" (default) is one descent t_max → t_min
 * over latent + image steps, as the paper's single "decrease t with equal intervals from t_max to
 * 0" reads; "per-stage" restarts it at each stage (each stage from its t_max to t_min).
 */
export const timestepDescentSchema = z.enum(["across-stages", "per-stage"]);
/**
 * The texture path's CFG unconditional branch: "empty-prompt" (default; the paper names no other)
 * or "undesired-tokens", Q("", C_u): the empty prompt with the learned undesired-domain token (ablation).
 */
export const textureNegativeSchema = z.enum(["empty-prompt", "undesired-tokens"]);
/**
 * Text before the learned token in Q(T, C_d): "none" (default; T is the user prompt, the learned
 * token is what says "texture domain") or "handcrafted" (T = prompt + ", " + textureKeyword; ablation).
 */
export const textureSuffixSchema = z.enum(["none", "handcrafted"]);

export const textureConfigSchema = z
  .object({
    variant: variantSchema.default("full"),
    latent: stageSchema(200, 0.1, 64),
    image: stageSchema(200, 0.02, 512),
    /** λ_g and λ_τ of Eq. 12. */
    lambdaGeneric: nonNegativeScheduleSchema.default(1),
    lambdaTexture: nonNegativeScheduleSchema.default(1),
    /** Classifier-free guidance scales (DreamFusion uses 100 for SDS; the texture LDM less). */
    guidanceGeneric: nonNegativeScheduleSchema.default(100),
    guidanceTexture: nonNegativeScheduleSchema.default(7.5),
    /**
     * Fractions of the 1000 training steps. "decreasing" (paper Sec. 5.2.1: "we decrease t with
     * equal intervals from t_max to 0") walks t from t_max down to t_min in equal steps, spanning
     * the stages as `descent` says; "uniform" (DreamFusion, the ablation; it used [0.02, 0.98])
     * draws t in [t_min, t_max] every step. Schedules are read at the descent's first step for
     * "decreasing". t = 0 is a valid timestep (ᾱ_0 is the scheduler's first entry).
     */
    tMax: fractionScheduleSchema.default(0.98),
    tMin: fractionScheduleSchema.default(0),
    timesteps: z.enum(["decreasing", "uniform"]).default("decreasing"),
    descent: timestepDescentSchema.default("across-stages"),
    /**
     * t_max of the image stage ("decreasing" only). Unset: where the single descent has reached
     * ("across-stages"), or tMax ("per-stage"). Set with "across-stages": the latent stage descends
     * from tMax towards it and the image stage from it to tMin.
     */
    imageTMax: z.number().min(0).max(1).optional(),
    /** w(t) of the SDS gradient: "sds" = 1 − ᾱ_t (DreamFusion), "uniform", "fantasia3d" = √ᾱ_t(1 − ᾱ_t). */
    weighting: sdsWeightingSchema.default("sds"),
    /** Background behind the rendered face: per-step random colour/noise (augmentation) or fixed. */
    background: z.enum(["random", "noise", "solid"]).default("random"),
    azimuthRange: azimuthRangeSchema,
    /** Eq. 9's conditioning of the texture LDM: see the schemas above. */
    textureNegative: textureNegativeSchema.default("empty-prompt"),
    textureSuffix: textureSuffixSchema.default("none"),
    /** The handcrafted suffix's text (used only with textureSuffix "handcrafted"). */
    textureKeyword: z.string().default("in the desired domain"),
    /** How gradients cross the VAE in image space: exact VJP graphs, or the linear latent↔RGB approximation. */
    vaeGradient: z.enum(["auto", "exact", "linear-approx"]).default("auto"),
    pbr: z
      .object({
        /** Side of the written maps (paper: 4K). */
        size: z.number().int().min(16).max(8192).default(4096),
        /** Side of the textures embedded in the .glb (4096² PNGs make the file slow to write and load). */
        glbTextureSize: z.number().int().min(16).max(8192).default(2048),
        resampler: z.enum(["lanczos3", "bicubic"]).default("lanczos3"),
        /** How the decoded normal map and the carved detail normal map N_d are combined. */
        normalBlend: z.enum(["rnm", "udn"]).default("rnm"),
      })
      .strict()
      .prefault({}),
    /** Bands of rows per rendered frame: fixes the gradient bytes, caps the render threads. */
    renderBands: renderBandsSchema,
    /** Checkpoint / trajectory / snapshot cadence in steps. */
    checkpointEvery: z.number().int().min(1).default(10),
    snapshotEvery: z.number().int().min(1).default(25),
  })
  .strict()
  .refine(tRangeOrdered, T_RANGE_MESSAGE);

export type TextureConfig = z.output<typeof textureConfigSchema>;
export type TextureConfigInput = z.input<typeof textureConfigSchema>;
export type TextureVariant = TextureConfig["variant"];

export const TEXTURE_VARIANTS: readonly TextureVariant[] = variantSchema.options;

/** The text T of the texture path's Q(T, C_d) (Eq. 9): the prompt, or the prompt with the handcrafted suffix. */
export function texturePromptText(prompt: string, config: Pick<TextureConfig, "textureSuffix" | "textureKeyword">): string {
  return config.textureSuffix === "handcrafted" ? `${prompt}, ${config.textureKeyword}` : prompt;
}

/**
 * What each ablation switches off (Sec. 7.3.3). "wo-texture" keeps latent SDS but drops the
 * texture LDM (Latent-NeRF-like); "wo-lt" drops both latent SDS and the texture LDM and
 * spends the whole step budget on image-space SDS (DreamFusion-like).
 */
export function variantPlan(config: TextureConfig): { latentSteps: number; imageSteps: number; texturePath: boolean } {
  switch (config.variant) {
    case "full":
      return { latentSteps: config.latent.steps, imageSteps: config.image.steps, texturePath: true };
    case "wo-texture":
      return { latentSteps: config.latent.steps, imageSteps: config.image.steps, texturePath: false };
    case "wo-lt":
      return { latentSteps: 0, imageSteps: config.latent.steps + config.image.steps, texturePath: false };
  }
}

/** Parses a texture section; throws an Error whose message names each bad field. */
export function parseTextureConfig(input: unknown): TextureConfig {
  const result = textureConfigSchema.safeParse(input ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((i) => `texture.${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid texture config: ${problems.join("; ")}`);
  }
  return result.data;
}
