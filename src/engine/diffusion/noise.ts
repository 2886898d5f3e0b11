/** Forward noising q(x_t | x_0) of a DDPM (diffusers' `add_noise`). */
import { alphaBar, type DdpmSchedule } from "./schedule.js";

/** x_t = √ᾱ_t · x₀ + √(1 − ᾱ_t) · ε, elementwise over flat arrays of equal length. */
export function addNoise(
  schedule: DdpmSchedule,
  x0: Float32Array,
  noise: Float32Array,
  t: number,
  out: Float32Array = new Float32Array(x0.length),
): Float32Array {
  if (noise.length !== x0.length || out.length !== x0.length)
    throw new Error(`addNoise: lengths differ (x0 ${x0.length}, noise ${noise.length}, out ${out.length})`);
  const ab = alphaBar(schedule, t);
  const a = Math.sqrt(ab);
  const s = Math.sqrt(1 - ab);
  for (let i = 0; i < x0.length; i++) out[i] = a * x0[i]! + s * noise[i]!;
  return out;
}
