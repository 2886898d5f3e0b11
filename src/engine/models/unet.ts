/** UNet roles (unet, texture_unet): ε-prediction, with classifier-free guidance batched. */
import type { Backend, ModelSession, Tensor } from "./backend.js";
import { conform, pick } from "./adapt.js";
import { asFloat32Tensor, concat0, split0, tensor } from "./tensor.js";

function timestepFor(session: ModelSession, t: number, batch: number): Tensor {
  const info = session.inputs.find((i) => i.name === "timestep");
  // A fixed [1] input is valid for any batch (the UNet expands it); otherwise give one per sample.
  const n = info && info.dims.length === 1 && info.dims[0] === 1 ? 1 : batch;
  return tensor("float32", new Float32Array(n).fill(t), [n]);
}

async function run(session: ModelSession, latents: Tensor, t: number, hidden: Tensor): Promise<Tensor> {
  const batch = latents.dims[0]!;
  if (hidden.dims[0] !== batch) throw new Error(`${session.role}: latents batch ${batch} but hidden states batch ${hidden.dims[0]}`);
  const r = await session.run(
    conform(session, { sample: latents, timestep: timestepFor(session, t, batch), encoder_hidden_states: hidden }),
  );
  return asFloat32Tensor(pick(r, session.role, "out_sample"));
}

/** ε̂(latents, t, hidden): latents [B,C,h,w] (C = 4, or 5 for texture_unet), hidden [B,77,768]. */
export async function unetEps(backend: Backend, role: string, latents: Tensor, t: number, hidden: Tensor): Promise<Tensor> {
  return run(await backend.session(role), latents, t, hidden);
}

/** Whether the role accepts batch 2 (a fixed batch of 1 in the file means it does not). */
export function acceptsBatch(session: ModelSession, batch: number): boolean {
  const d = session.inputs.find((i) => i.name === "sample")?.dims[0];
  return typeof d !== "number" || d === batch;
}

/**
 * ε̂ for the unconditional and the conditional prompt at once: one batch-2 call
 * ([uncond, cond], the diffusers order) when the model allows it, two calls otherwise.
 * latents [1,C,h,w]; uncond and cond hidden states [1,77,768].
 */
export async function unetEpsPair(
  backend: Backend,
  role: string,
  latents: Tensor,
  t: number,
  uncond: Tensor,
  cond: Tensor,
): Promise<{ uncond: Tensor; cond: Tensor }> {
  const session = await backend.session(role);
  if (acceptsBatch(session, 2 * latents.dims[0]!)) {
    const eps = await run(session, concat0([latents, latents]), t, concat0([uncond, cond]));
    const [u, c] = split0(eps, 2);
    return { uncond: u!, cond: c! };
  }
  return { uncond: await run(session, latents, t, uncond), cond: await run(session, latents, t, cond) };
}
