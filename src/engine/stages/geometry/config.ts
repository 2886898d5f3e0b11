/**
 * The geometry stage's experiment section (paper Sec. 4), validated with zod and filled
 * with defaults. Every weight, guidance scale, learning rate and t bound may be a Schedule
 * over the carving step.
 */
import { z } from "zod";
import { sdsWeightingSchema } from "../../config/weighting.js";
import { azimuthRangeSchema, renderBandsSchema } from "../../config/views.js";
import { fractionScheduleSchema, nonNegativeScheduleSchema, T_RANGE_MESSAGE, tRangeOrdered } from "../../config/schedule-schema.js";

export const rankingConfigSchema = z
  .object({
    /** λ_d and λ_r of Eq. 3. */
    lambdaDirect: z.number().min(0).default(1),
    lambdaRelative: z.number().min(0).default(1),
    /** How many of the best candidates the ranking table keeps. */
    topK: z.number().int().min(1).default(32),
    /** The anchor prompt of the relative score. */
    anchorText: z.string().min(1).default("the face"),
    /** Candidates in the default pool built into the user cache when no --pool is given. */
    defaultPoolSize: z.number().int().min(1).optional(), // default per profile: data-loaders/geometry/pool-default.ts (tiny 64, sd15 10k)
    defaultPoolSeed: z.number().int().min(0).default(0),
  })
  .strict()
  .prefault({});

export const carvingConfigSchema = z
  .object({
    /** Carving steps (paper: 300). */
    steps: z.number().int().min(0).default(300),
    /** Side of the square render fed to the VAE encoder; unset = by profile (sd15: 512, tiny: 128). */
    renderSize: z.number().int().min(8).max(1024).optional(),
    /**
     * Side of the tangent-space detail normal map N_d; unset = by profile (sd15: 512, the
     * normal-map detail the paper shows; tiny: 128). The texture stage receives it at this
     * size in float32 (normal-map.f32).
     */
    normalMapSize: z.number().int().min(4).max(4096).optional(),
    /** Loss weights of Eq. 8. */
    lambdaSds: nonNegativeScheduleSchema.default(1),
    lambdaShape: nonNegativeScheduleSchema.default(1),
    lambdaGeo: nonNegativeScheduleSchema.default(1000),
    lambdaMap: nonNegativeScheduleSchema.default(10),
    /** Classifier-free guidance scale of the SDS denoiser (DreamFusion: 100). */
    guidance: nonNegativeScheduleSchema.default(100),
    /** Per-group Adam learning rates. */
    lrDisplacement: nonNegativeScheduleSchema.default(1e-3),
    lrNormalMap: nonNegativeScheduleSchema.default(1e-2),
    lrShape: nonNegativeScheduleSchema.default(1e-3),
    /** t ~ U(tMin, tMax)·T (paper: 0.02, 0.98). */
    tMin: fractionScheduleSchema.default(0.02),
    tMax: fractionScheduleSchema.default(0.98),
    weighting: sdsWeightingSchema.default("sds"),
    /** Camera azimuth arc in degrees (paper: ±45°) and the light hemisphere. */
    azimuthRange: azimuthRangeSchema,
    /** Largest |V_d| in model units (cm): displacements are clamped so a bad step can't fold the mesh. */
    maxDisplacement: z.number().positive().default(1),
    /** Optimize β too (x_d = [V_d, N_d, β]); off freezes the coarse shape. */
    refineShape: z.boolean().default(true),
    /** Bands of rows per rendered frame: fixes the gradient bytes, caps the render threads. */
    renderBands: renderBandsSchema,
    checkpointEvery: z.number().int().min(1).default(10),
    snapshotEvery: z.number().int().min(1).default(25),
  })
  .strict()
  .refine(tRangeOrdered, T_RANGE_MESSAGE)
  .prefault({});

export const hairConfigSchema = z
  .object({
    /** Choose a hairstyle and colour by CLIP score after carving (paper Sec. 4.3). */
    enabled: z.boolean().default(true),
    /** Fix the style or the colour instead of scoring it (names: `dreamface hair --list`). */
    style: z.string().min(1).optional(),
    colour: z.string().min(1).optional(),
    /** Side of the renders CLIP scores (224 = CLIP's input). */
    renderSize: z.number().int().min(32).max(1024).default(224),
  })
  .strict()
  .prefault({});

export const geometryConfigSchema = z
  .object({
    ranking: rankingConfigSchema,
    carving: carvingConfigSchema,
    hair: hairConfigSchema,
  })
  .strict();

export type RankingConfig = z.output<typeof rankingConfigSchema>;
export type CarvingConfig = z.output<typeof carvingConfigSchema>;
export type HairConfig = z.output<typeof hairConfigSchema>;
export type GeometryConfig = z.output<typeof geometryConfigSchema>;
export type GeometryConfigInput = z.input<typeof geometryConfigSchema>;

/** Parses a geometry section; throws an Error whose message names each bad field. */
export function parseGeometryConfig(input: unknown): GeometryConfig {
  const result = geometryConfigSchema.safeParse(input ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((i) => `geometry.${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid geometry config: ${problems.join("; ")}`);
  }
  return result.data;
}
