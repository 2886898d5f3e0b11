/**
 * The engine's Backend over onnxruntime-web, for pages: WebGPU where the browser has it,
 * wasm otherwise. Model files are fetched from `baseUrl` (tiny: <role>.onnx) or from
 * explicit per-role URLs; a custom `load` lets Node tests feed bytes from disk.
 *
 *   const backend = ortWebBackend({ profile: "tiny", files: { unet: await FileAttachment("data/models/tiny/unet.onnx").url() } });
 *   const eps = await unetEps(backend, "unet", latents, 500, hidden);
 */
import * as ortWeb from "onnxruntime-web";
import type { Backend, ModelSession, Tensor, ValueInfo } from "../engine/models/backend.js";
import { outputDtype, sessionCache, valueInfos } from "../engine/models/sessions.js";

type Ort = typeof ortWeb;

export interface OrtWebBackendOptions {
  /** "tiny" or "sd15"; outputs of "tiny" are test signals, not faces. */
  profile?: string;
  /** Folder URL holding <role>.onnx (used when `files` has no entry for a role). */
  baseUrl?: string;
  /** Per-role URLs. */
  files?: Record<string, string>;
  /** Replaces fetching (Node tests read the bytes from disk). */
  load?: (role: string) => Promise<Uint8Array>;
  /**
   * Where ort-web finds its .wasm: a URL prefix, or {wasm: url} for one file (pages serve
   * ort-wasm-simd-threaded.jsep.wasm through the src/data/ort-wasm.wasm.ts loader).
   */
  wasmPaths?: string | { wasm?: string; mjs?: string };
  /** The .wasm bytes themselves (instead of wasmPaths). */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** wasm threads; 1 avoids needing cross-origin isolation. */
  numThreads?: number;
  /** Try WebGPU first when the browser exposes navigator.gpu (default true). */
  webgpu?: boolean;
  /** The onnxruntime-web module (injectable for tests). */
  ort?: Ort;
}

export function ortWebBackend(options: OrtWebBackendOptions = {}): Backend {
  const ort = options.ort ?? ortWeb;
  const { profile = "tiny", baseUrl = "./", files = {}, numThreads = 1 } = options;
  ort.env.wasm.numThreads = numThreads;
  if (options.wasmPaths) ort.env.wasm.wasmPaths = options.wasmPaths as typeof ort.env.wasm.wasmPaths;
  if (options.wasmBinary) ort.env.wasm.wasmBinary = options.wasmBinary;
  let providers: string[] = ["wasm"];
  // navigator.gpu can exist without a usable adapter (headless, blocklisted GPUs): ask once.
  const probe = (async () => {
    const gpu = typeof navigator !== "undefined" && options.webgpu !== false ? (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu : undefined;
    if (gpu && (await gpu.requestAdapter().catch(() => null))) providers = ["webgpu", "wasm"];
  })();
  const hashes: Record<string, string> = {};

  async function bytesFor(role: string): Promise<Uint8Array> {
    if (options.load) return options.load(role);
    const url = files[role] ?? new URL(`${role}.onnx`, new URL(baseUrl, globalThis.location?.href ?? "http://localhost/")).href;
    const res = await fetch(url);
    if (!res.ok) throw new Error(`model for role "${role}" not found at ${url} (HTTP ${res.status})`);
    return new Uint8Array(await res.arrayBuffer());
  }

  async function open(role: string): Promise<WebSession> {
    await probe;
    const bytes = await bytesFor(role);
    hashes[role] = await sha256Hex(bytes);
    const session = await ort.InferenceSession.create(bytes, { executionProviders: providers, logSeverityLevel: 3 });
    return new WebSession(role, session, ort);
  }

  return {
    get name() {
      return `onnxruntime-web (${providers[0]})`;
    },
    profile,
    ...sessionCache(open),
    modelHashes: () => ({ ...hashes }),
  };
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

class WebSession implements ModelSession {
  readonly inputs: ValueInfo[];
  readonly outputs: ValueInfo[];

  constructor(
    readonly role: string,
    private readonly session: ortWeb.InferenceSession,
    private readonly ort: Ort,
  ) {
    this.inputs = valueInfos(session.inputMetadata, session.inputNames);
    this.outputs = valueInfos(session.outputMetadata, session.outputNames);
  }

  /** onnxruntime-web refuses a second run on a session while one is in flight ("Session already started"): queue them. */
  private queue: Promise<unknown> = Promise.resolve();

  run(feeds: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>> {
    const result = this.queue.then(() => this.runNow(feeds));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async runNow(feeds: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>> {
    const ortFeeds: Record<string, ortWeb.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new this.ort.Tensor(t.dtype, t.data, t.dims);
    const result = await this.session.run(ortFeeds);
    const out: Record<string, Tensor> = {};
    for (const [name, value] of Object.entries(result)) {
      const dtype = outputDtype(this.role, name, value.type);
      // WebGPU outputs may live on the GPU; getData() downloads them (a no-op for wasm).
      const data = value.location === "cpu" ? value.data : await value.getData();
      out[name] = { dtype, data: data as Tensor["data"], dims: [...value.dims] };
    }
    return out;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
