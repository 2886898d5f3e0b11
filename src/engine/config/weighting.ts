// The SDS weightings w(t) every stage's config accepts: the schema is the one list; the type and
// the names in error messages derive from it (src/engine/diffusion/sds.ts implements each).
import { z } from "zod";

export const sdsWeightingSchema = z.enum(["sds", "uniform", "fantasia3d"]);
export type SdsWeighting = z.infer<typeof sdsWeightingSchema>;
export const SDS_WEIGHTINGS: readonly SdsWeighting[] = sdsWeightingSchema.options;
