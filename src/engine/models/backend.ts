/**
 * The engine's only window onto neural networks. The engine never imports an inference
 * runtime: a Backend (onnxruntime-node in `data-loaders/`, onnxruntime-web in
 * `src/components/`) is handed in. Tensors are plain typed arrays with a shape, so engine
 * code stays runtime-free and testable.
 */
export type TensorDType = "float32" | "float16" | "int32" | "int64";

export interface Tensor {
  readonly dtype: TensorDType;
  /** float32 → Float32Array, float16 → Uint16Array (raw bits), int32 → Int32Array, int64 → BigInt64Array. */
  readonly data: Float32Array | Uint16Array | Int32Array | BigInt64Array;
  readonly dims: readonly number[];
}

/** What a session declares about one input or output (dims may be symbolic strings). */
export interface ValueInfo {
  readonly name: string;
  readonly dtype: TensorDType | string;
  readonly dims: readonly (number | string)[];
}

export interface ModelSession {
  readonly role: string;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  run(feeds: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>>;
}

export interface Backend {
  /** "onnxruntime-node" | "onnxruntime-web" (and the execution provider in use). */
  readonly name: string;
  /** Opens (and caches) the session for a model role of the active profile. */
  session(role: string): Promise<ModelSession>;
  /** sha256 of each loaded model file, for run manifests. */
  modelHashes(): Record<string, string>;
  /** "tiny" or "sd15" (or a user profile); outputs of "tiny" are test signals, not faces. */
  readonly profile: string;
  dispose(): Promise<void>;
}
