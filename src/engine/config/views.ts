// The camera arc the SDS stages sample views from, shared by carving and texturing.
import { z } from "zod";

/** Camera azimuth arc in degrees, [low, high] (paper: ±45°). */
export const azimuthRangeSchema = z
  .tuple([z.number(), z.number()])
  .refine(([low, high]) => low <= high, { message: "low end exceeds high end" })
  .default([-45, 45]);
