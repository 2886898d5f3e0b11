/**
 * Export variants, handled in one place. Public exports of the same model differ in input
 * dtypes (timestep float32/int64/float16, input_ids int32/int64) and in the timestep's rank
 * ([] vs [B]); `conform` reshapes and casts our feeds to whatever the session declares.
 */
import type { Backend, ModelSession, Tensor } from "./backend.js";
import { cast, isTensorDType, tensor } from "./tensor.js";

export function conform(session: ModelSession, feeds: Readonly<Record<string, Tensor>>): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const info of session.inputs) {
    let t = feeds[info.name];
    if (!t) {
      const given = Object.keys(feeds).join(", ") || "none";
      throw new Error(`model "${session.role}" needs input "${info.name}" (given: ${given})`);
    }
    // A declared rank of 0 means a scalar (optimum ≥ 1.24 timestep); rank 1 accepts [1] or [B].
    if (info.dims.length === 0 && t.dims.length > 0) {
      // A batch sharing one value (CFG's [t, t]) is that scalar; distinct values cannot be one call.
      const first = t.data[0];
      if (t.data.length === 0 || !Array.prototype.every.call(t.data, (v: unknown) => v === first)) {
        throw new Error(`model "${session.role}" takes "${info.name}" as a scalar, got ${t.data.length} different values`);
      }
      t = tensor(t.dtype, t.data.slice(0, 1) as Tensor["data"], []);
    } else if (info.dims.length === 1 && t.dims.length === 0) {
      t = tensor(t.dtype, t.data, [1]);
    }
    if (isTensorDType(info.dtype)) t = cast(t, info.dtype);
    out[info.name] = t;
  }
  return out;
}

/** Opens the role's session, conforms the feeds and runs it. */
export async function runRole(backend: Backend, role: string, feeds: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>> {
  const session = await backend.session(role);
  return session.run(conform(session, feeds));
}

/** Single-input/single-output roles whose exports name their values freely (restore, upscale, kid_features). */
export async function runPositional(backend: Backend, role: string, input: Tensor): Promise<Tensor> {
  const session = await backend.session(role);
  const inName = session.inputs[0]?.name;
  const outName = session.outputs[0]?.name;
  if (!inName || !outName || session.inputs.length !== 1) {
    throw new Error(`model "${role}" must have exactly one input and at least one output (has ${session.inputs.length} inputs)`);
  }
  const result = await session.run(conform(session, { [inName]: input }));
  return result[outName]!;
}

/** The named output, or a clear error listing what the model returned. */
export function pick(result: Record<string, Tensor>, role: string, ...names: string[]): Tensor {
  for (const n of names) if (result[n]) return result[n];
  throw new Error(`model "${role}" returned ${Object.keys(result).join(", ")}; expected ${names.join(" or ")}`);
}
