/**
 * Classifier-free guidance on ε-predictions.
 *
 * "diffusers" (default, also DreamFace's and SD's convention): ε̂ = ε_u + s·(ε_c − ε_u), so
 * s = 1 is the plain conditional prediction.
 * "threestudio": ε̂ = ε_c + s·(ε_c − ε_u) = ε_u + (s+1)·(ε_c − ε_u), what threestudio's SDS
 * guidance computes; its guidance_scale 100 equals 101 here in the diffusers convention.
 */
export type CfgConvention = "diffusers" | "threestudio";

export function cfg(
  uncond: Float32Array,
  cond: Float32Array,
  scale: number,
  { convention = "diffusers", out = new Float32Array(uncond.length) }: { convention?: CfgConvention; out?: Float32Array } = {},
): Float32Array {
  if (cond.length !== uncond.length || out.length !== uncond.length)
    throw new Error(`cfg: lengths differ (uncond ${uncond.length}, cond ${cond.length}, out ${out.length})`);
  const s = convention === "threestudio" ? scale + 1 : scale;
  for (let i = 0; i < uncond.length; i++) out[i] = uncond[i]! + s * (cond[i]! - uncond[i]!);
  return out;
}
