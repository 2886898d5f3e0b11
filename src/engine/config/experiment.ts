/**
 * An experiment file (experiments/*.json): one prompt, seed and profile plus each stage's
 * section. Every section has defaults, so `{"name": "x"}` is a complete experiment; each
 * stage owns its section's schema in src/engine/stages/<stage>/config.ts.
 */
import { z } from "zod";
import { geometryConfigSchema } from "../stages/geometry/config.js";
import { textureConfigSchema } from "../stages/texture/config.js";

export const experimentSchema = z
  .object({
    name: z.string().min(1).default("default"),
    prompt: z.string().min(1).optional(),
    seed: z.number().int().min(0).max(0xffffffff).default(0),
    /** "tiny" (test-signal models built locally) or "sd15" (the real weights), or a user profile. */
    profile: z.string().min(1).default("tiny"),
    geometry: geometryConfigSchema.prefault({}),
    texture: textureConfigSchema.prefault({}),
    /** The animation stage validates its own section. */
    animation: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export type Experiment = z.output<typeof experimentSchema>;
export type ExperimentInput = z.input<typeof experimentSchema>;

/** Parses an experiment; the Error message names every bad field with its path. */
export function parseExperiment(input: unknown): Experiment {
  const result = experimentSchema.safeParse(input ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`);
    throw new Error(`invalid experiment: ${problems.join("; ")}`);
  }
  return result.data;
}
