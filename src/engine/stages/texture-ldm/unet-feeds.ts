/** Feeds for the weights-as-inputs UNet graphs (graphs.ts) and one ε̂ call with given weights. */
import type { ModelSession, Tensor } from "../../models/backend.js";
import { conform } from "../../models/adapt.js";
import { pick } from "../../models/adapt.js";
import { asFloat32, tensor } from "../../models/tensor.js";
import type { ParamSlot } from "./graphs.js";

export function weightFeeds(params: readonly ParamSlot[], weights: Float32Array): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const p of params) out[p.name] = tensor("float32", weights.slice(p.offset, p.offset + p.size), p.dims);
  return out;
}

export interface UnetCall {
  /** [B·C·h·w] */
  sample: Float32Array;
  dims: readonly [number, number, number, number];
  /** One timestep for the whole batch (scalar-timestep exports cannot take several). */
  t: number;
  /** [B·77·768] */
  hidden: Float32Array;
}

export function unetFeeds(session: ModelSession, params: readonly ParamSlot[], weights: Float32Array, c: UnetCall, extra: Record<string, Tensor> = {}): Record<string, Tensor> {
  const b = c.dims[0];
  return conform(session, {
    sample: tensor("float32", c.sample, c.dims),
    timestep: tensor("float32", new Float32Array(b).fill(c.t), [b]),
    encoder_hidden_states: tensor("float32", c.hidden, [b, 77, c.hidden.length / (b * 77)]),
    ...weightFeeds(params, weights),
    ...extra,
  });
}

/** ε̂ [B·4·h·w] of the forward graph with these weights. */
export async function epsWith(session: ModelSession, params: readonly ParamSlot[], weights: Float32Array, c: UnetCall): Promise<Float32Array> {
  return asFloat32(pick(await session.run(unetFeeds(session, params, weights, c)), session.role, "out_sample"));
}

/** Latents [B·4·h·w] plus the mask channel → the UNet's sample [B·5·h·w] (or as-is for 4 channels). */
export function withMask(latents: Float32Array, masks: readonly Float32Array[] | Float32Array, batch: number, hw: number, channels: number): Float32Array {
  if (channels === 4) return latents;
  const out = new Float32Array(batch * channels * hw);
  for (let b = 0; b < batch; b++) {
    out.set(latents.subarray(b * 4 * hw, (b + 1) * 4 * hw), b * channels * hw);
    const m = masks instanceof Float32Array ? masks : masks[b]!;
    out.set(m, (b * channels + 4) * hw);
  }
  return out;
}
