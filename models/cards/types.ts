/**
 * A model card: what a role's ONNX file must look like. Cards are data; the checker
 * (data-loaders/models/check.ts), the Node backend and the tiny builder's tests all read them.
 * Dims are numbers (fixed) or strings (symbolic: any size).
 */
export interface IoSpec {
  name: string;
  /** Accepted dtypes; the backend casts feeds to whichever the file declares. */
  dtypes: readonly string[];
  /** Accepted ranks (e.g. timestep: [] or [B] → ranks [0, 1]). */
  ranks: readonly number[];
  /**
   * Numbers must match when the file fixes that dim; "4|8" lists the sizes allowed; other strings
   * are symbolic (any size). A dim the file leaves symbolic is not compared.
   */
  dims: readonly (number | string)[];
  /** Other names exporters use for the same value (e.g. latent_parameters for latent_sample). */
  aliases?: readonly string[];
}

export interface RemoteFile {
  /** Path inside the profile folder. */
  path: string;
  /** Hugging Face repo and path inside it. */
  repo: string;
  repoPath: string;
  revision: string;
  /** Approximate size in bytes, for the progress bar and the free-space warning. */
  approxBytes: number;
  /** sha256 when known; otherwise pull trusts the Hub's X-Linked-Etag (LFS sha256) and records it. */
  sha256?: string;
}

export interface ModelCard {
  role: string;
  profile: string;
  /** The ONNX file, relative to the profile folder. */
  file: string;
  /** External-data files that must sit beside it (weights.pb or model.onnx_data). */
  externalData?: readonly string[];
  inputs: readonly IoSpec[];
  outputs: readonly IoSpec[];
  /**
   * "exact": names must match (or an alias). "positional": single-input/single-output roles
   * where any name is accepted (user exports of restore/upscale nets name them freely).
   */
  names: "exact" | "positional";
  /** Human description (value ranges, what the role does in the paper). */
  about: string;
  /** Where the files come from (sd15) or "user-supplied" / "built by dreamface models build-tiny". */
  source: string;
  remote?: readonly RemoteFile[];
  /** Derived from this public role when the file is absent (data-loaders/models/derive.ts). */
  derivedFrom?: string;
  /** Lowest default-domain (ai.onnx) opset the file may import (models/cards/roles.ts). */
  minOpset?: number;
}

export const float = ["float32", "float16"] as const;
