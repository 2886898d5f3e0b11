// The camera arc the SDS stages sample views from, and the bands their renderer splits frames
// into: shared by carving and texturing.
import { z } from "zod";
import { STAGE_BANDS } from "../raster/parallel.js";

/**
 * Bands of rows a stage's renderer splits each frame into (raster/bands.ts). The gradient bytes
 * depend on it and the thread count does not, so it belongs to the experiment; a renderer runs
 * on at most this many threads (raise it on a many-core machine: each band costs a little).
 */
export const renderBandsSchema = z.number().int().min(1).max(64).default(STAGE_BANDS);

/** Camera azimuth arc in degrees, [low, high] (paper: ±45°). */
export const azimuthRangeSchema = z
  .tuple([z.number(), z.number()])
  .refine(([low, high]) => low <= high, { message: "low end exceeds high end" })
  .default([-45, 45]);
