/**
 * Runtime-independent plumbing shared by the onnxruntime-node and onnxruntime-web Backends:
 * the per-role session cache, the ValueInfo view of ort's metadata and the output dtype check.
 * Both runtimes expose the same metadata shapes, so this needs no ort import.
 */
import type { Backend, ModelSession, TensorDType, ValueInfo } from "./backend.js";
import { isTensorDType } from "./tensor.js";

/** ort's InferenceSession.ValueMetadata, structurally (identical in ort-node and ort-web). */
export type OrtValueMetadata = { readonly name: string } & (
  | { readonly isTensor: true; readonly type: string; readonly shape: readonly (number | string)[] }
  | { readonly isTensor: false }
);

/** ValueInfo for each name; values that are not tensors (or lack metadata) get dtype "unknown". */
export function valueInfos(meta: readonly OrtValueMetadata[], names: readonly string[]): ValueInfo[] {
  return names.map((name) => {
    const m = meta.find((x) => x.name === name);
    return m && m.isTensor ? { name, dtype: m.type, dims: [...m.shape] } : { name, dtype: "unknown", dims: [] };
  });
}

/** The output's dtype as a Tensor dtype; throws naming the model and output when unsupported. */
export function outputDtype(role: string, name: string, type: string): TensorDType {
  if (!isTensorDType(type)) throw new Error(`model "${role}" output "${name}" has unsupported dtype ${type}`);
  return type;
}

/** One open per role, shared by concurrent callers; `dispose` releases every opened session. */
export function sessionCache<S extends ModelSession & { release(): Promise<void> }>(
  open: (role: string) => Promise<S>,
): Pick<Backend, "session" | "dispose"> {
  const sessions = new Map<string, Promise<S>>();
  return {
    session(role: string) {
      let s = sessions.get(role);
      if (!s) {
        s = open(role);
        sessions.set(role, s);
        s.catch(() => sessions.delete(role)); // A failed open may succeed after the user fixes the file.
      }
      return s;
    },
    async dispose() {
      const all = await Promise.allSettled(sessions.values());
      sessions.clear();
      for (const r of all) if (r.status === "fulfilled") await r.value.release();
    },
  };
}

/** Whether the backend's profile can open `role` (optional roles: upscale, restore, VJP exports). */
export async function hasRole(backend: Backend, role: string): Promise<boolean> {
  try {
    await backend.session(role);
    return true;
  } catch {
    return false;
  }
}
