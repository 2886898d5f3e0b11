/**
 * The texture LDM's training graphs, derived from the profile's UNet by graph surgery and the
 * ONNX autodiff (src/engine/autodiff/):
 *
 *   unet ──(widenConvInput: +1 zero-weight channel for the mask B, mask variants only)──▶
 *        ──(promoteInitializers: the trained weights become graph inputs)──▶ forward
 *   forward ──vjpModel(wrt: weights [+ encoder_hidden_states], output out_sample)──▶ vjp
 *
 * `forward`: sample [B,C,h,w], timestep, encoder_hidden_states [B,77,768], weights… → out_sample.
 * `vjp`: the same inputs + grad_out_sample → grad_<weight>… [+ grad_encoder_hidden_states].
 * The weights travel as one flat Float32Array (`init`, slots in `params` order), so Adam and
 * checkpoints see one parameter group.
 */
import { DT, type ModelProto } from "../../autodiff/proto.js";
import { promoteInitializers, widenConvInput, type ExternalData } from "../../autodiff/surgery.js";
import { vjpModel, VjpError } from "../../autodiff/vjp.js";

export interface ParamSlot {
  readonly name: string;
  readonly dims: readonly number[];
  readonly offset: number;
  readonly size: number;
}

export interface TrainGraphs {
  forward: ModelProto;
  vjp: ModelProto;
  params: ParamSlot[];
  init: Float32Array;
  /** Input channels of `sample` (4, or 5 with the mask). */
  channels: number;
}

export interface TrainGraphOptions {
  mask: boolean;
  /** Which float initializers to train (by name). */
  weights: RegExp;
  /** Also differentiate w.r.t. encoder_hidden_states (for the learned tokens). */
  hiddenGrad: boolean;
  /** Reads the UNet's external data (real exports keep weights outside the .onnx); the graphs keep the untrained ones external. */
  external?: ExternalData;
}

export function ldmTrainGraphs(unet: ModelProto, { mask, weights, hiddenGrad, external }: TrainGraphOptions): TrainGraphs {
  const model = mask ? widenConvInput(unet, "sample", 1, external) : unet;
  const names = (model.graph?.initializer ?? []).filter((t) => (t.dataType ?? DT.FLOAT) === DT.FLOAT && weights.test(t.name ?? "")).map((t) => t.name!);
  const other = (model.graph?.initializer ?? []).find((t) => (t.dataType ?? DT.FLOAT) !== DT.FLOAT && weights.test(t.name ?? ""));
  if (other) throw new VjpError(`weight "${other.name}" is not float32 (ONNX type ${other.dataType}): training needs a float32 export`);
  if (!names.length) throw new VjpError(`no float weight of the UNet matches ${weights} (initializers: ${(model.graph?.initializer ?? []).map((t) => t.name).slice(0, 12).join(", ")}…)`);
  const promoted = promoteInitializers(model, names, external);
  const vjp = vjpModel(promoted.model, { wrt: [...names, ...(hiddenGrad ? ["encoder_hidden_states"] : [])], output: "out_sample" });
  let offset = 0;
  const params = names.map((name, k) => {
    const t = model.graph!.initializer!.find((i) => i.name === name)!;
    const slot = { name, dims: (t.dims ?? []).map(Number), offset, size: promoted.values[k]!.length };
    offset += slot.size;
    return slot;
  });
  const init = new Float32Array(offset);
  promoted.values.forEach((v, k) => init.set(v, params[k]!.offset));
  const dims = model.graph!.input!.find((v) => v.name === "sample")?.type?.tensorType?.shape?.dim ?? [];
  return { forward: promoted.model, vjp, params, init, channels: Number(dims[1]?.dimValue ?? (mask ? 5 : 4)) };
}

/** The text encoder on embeddings, differentiated w.r.t. them: grad of Q(T, C) for the tokens. */
export function textEmbedsVjp(textEncoderEmbeds: ModelProto): ModelProto {
  return vjpModel(textEncoderEmbeds, { wrt: ["inputs_embeds"], output: "last_hidden_state" });
}
