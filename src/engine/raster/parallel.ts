/**
 * ParallelRenderer: render()/renderBackward() with the bands of bands.ts spread over threads.
 * The calling thread runs its share of the bands itself and hands the others to workers
 * (BandWorker: worker_threads in data-loaders/raster/render-workers.ts, Web Workers in
 * src/components/renderWorkers.ts; both run bandHandler below). Frames live in
 * SharedArrayBuffers, so a message carries views, not copies: in one shared WebAssembly
 * memory where it can be made (wasm/arena.ts), so the SIMD kernels (wasm/) run on the frame in
 * every thread, with the JS loops' bytes. With no workers (or no
 * SharedArrayBuffer, e.g. a page without cross-origin isolation) every band runs on the
 * calling thread: the same bytes, one core.
 *
 * Determinism: the bytes depend on `bands` (default 4), not on the thread count; with
 * `bands: 1` they equal the synchronous renderBackward's. A result's arrays (image, mask,
 * raster) are shared slots that the renderer's next render() overwrites: finish with a result
 * (renderBackward included) before rendering the next frame. Likewise the texture and
 * normal-map gradients renderBackward returns are overwritten by its next call: use or copy
 * them first (the stages consume them within the step).
 */
import { triangleRows } from "./rasterize.js";
import { render, renderBackward, prepareFrame, frameResult, backwardJob, finishBackward, type FrameMemory, type RenderGrads, type RenderMesh, type RenderOptions, type RenderResult, type Saved } from "./render.js";
import { WasmArena, registerMemory } from "./wasm/arena.js";
import { wasmSimdSupported } from "./wasm/fused-kernel.js";
import { accShape, backwardBand, bandScratch, coverEdges, forwardBand, forwardEdges, newAcc, reduceBands, type BackwardJob, type BandAcc, type BandScratch, type Frame, type GradTarget, type ReduceTarget } from "./bands.js";

/**
 * What a stage loop needs from a renderer: the synchronous functions (syncRenderer) or a
 * ParallelRenderer, awaited either way. Stages take it as their `renderer` option.
 */
export interface FrameRenderer {
  render(mesh: RenderMesh, opts: RenderOptions): RenderResult | Promise<RenderResult>;
  renderBackward(result: RenderResult, gradImage: Float32Array, wrt?: readonly GradTarget[]): RenderGrads | Promise<RenderGrads>;
}

/** render()/renderBackward() on the calling thread, as a FrameRenderer. */
export const syncRenderer: FrameRenderer = { render, renderBackward };

/**
 * The band count every optimization stage renders with (carving, texturing; CLI, pages and
 * tests alike), so a run's bytes are the same on 1 thread or on all cores, in Node or in a page.
 */
export const STAGE_BANDS = 4;

/** A stage's renderer when the caller gives none: STAGE_BANDS bands on the calling thread. */
export function stageRenderer(): ParallelRenderer {
  return new ParallelRenderer([], { bands: STAGE_BANDS });
}

export type BandMessage =
  | { op: "forward"; frame: Frame; bands: number[][] }
  | { op: "backward"; job: BackwardJob; accs: BandAcc[]; bands: number[][]; clean: boolean }
  | { op: "reduce"; accs: BandAcc[]; from: number; to: number; into?: ReduceTarget };

/** One worker, seen from the calling thread: runs a message, resolves when done. */
export interface BandWorker {
  run(message: BandMessage): Promise<void>;
  close(): void | Promise<void>;
}

/**
 * The calling-thread side of a worker that runs one message at a time (the same for
 * worker_threads and Web Workers): `post` sends, and the glue calls `settle` with the reply's
 * error (or none) and `fail` when the worker itself fails.
 */
export function bandWorker(post: (message: BandMessage) => void, close: () => void | Promise<void>): BandWorker & { settle(error?: string): void; fail(error: Error): void } {
  let pending: { resolve: () => void; reject: (e: Error) => void } | null = null;
  const take = () => {
    const p = pending;
    pending = null;
    return p;
  };
  return {
    run: (message) => new Promise<void>((resolve, reject) => {
      if (pending) return reject(new Error("render worker: a message is already running"));
      pending = { resolve, reject };
      post(message);
    }),
    close,
    settle: (error) => (error ? take()?.reject(new Error(error)) : take()?.resolve()),
    fail: (error) => take()?.reject(error),
  };
}

/** The worker side (the same for worker_threads and Web Workers): runs one message. */
export function bandHandler(): (message: BandMessage) => void {
  let scratch: BandScratch | undefined;
  return (m) => {
    // A frame in a WasmArena carries its memory: register it so this thread's kernels run there.
    const wasm = m.op === "forward" ? m.frame.fused.wasm : m.op === "backward" ? m.job.frame.fused.wasm : null;
    if (wasm) registerMemory(wasm);
    if (m.op === "forward") for (const [y0, y1] of m.bands) forwardBand(m.frame, y0!, y1!);
    else if (m.op === "backward") {
      scratch = bandScratch(m.job, scratch);
      for (const [y0, y1, b] of m.bands) backwardBand(m.job, m.accs[b!]!, scratch, y0!, y1!, bandClear(m.clean));
    } else reduceBands(m.accs, m.from, m.to, m.into);
  };
}

/**
 * After a finished adjoint of the same shape (`clean`) the reduce left every band's texture
 * and normal map zero, so a band records its footprint instead of zeroing them whole.
 */
function bandClear(clean: boolean): "all" | "footprint" {
  return clean ? "footprint" : "all";
}

/** True where typed arrays can be shared with workers (Node; pages only when cross-origin isolated). */
export function canShareMemory(): boolean {
  return typeof SharedArrayBuffer !== "undefined" && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;
}

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor | Uint32ArrayConstructor | Uint8ArrayConstructor;

/** Named typed arrays on SharedArrayBuffers, reused across frames while their length holds. */
class SharedSlots implements FrameMemory {
  private readonly slots = new Map<string, ArrayBufferView & { length: number }>();
  constructor(private readonly shared: boolean) {}
  private get<T extends ArrayBufferView & { length: number }>(name: string, C: Ctor, n: number): T {
    const hit = this.slots.get(name);
    if (hit && hit.length === n && hit.constructor === C) return hit as T;
    const bytes = n * C.BYTES_PER_ELEMENT;
    const buf: ArrayBufferLike = this.shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
    const a = new (C as unknown as new (b: ArrayBufferLike) => T)(buf);
    this.slots.set(name, a);
    return a;
  }
  f32 = (name: string, n: number) => this.get<Float32Array>(name, Float32Array, n);
  f64 = (name: string, n: number) => this.get<Float64Array>(name, Float64Array, n);
  i32 = (name: string, n: number) => this.get<Int32Array>(name, Int32Array, n);
  u32 = (name: string, n: number) => this.get<Uint32Array>(name, Uint32Array, n);
  u8 = (name: string, n: number) => this.get<Uint8Array>(name, Uint8Array, n);
}

export interface ParallelRendererOptions {
  /** Bands of rows per frame (default 4); fixes the bytes of the gradients. */
  bands?: number;
}

const ALL: readonly GradTarget[] = ["texture", "normalMap", "positions"];

export class ParallelRenderer implements FrameRenderer {
  readonly bands: number;
  private readonly slots: SharedSlots | WasmArena;
  private current: Saved | null = null;
  private lastSize = -1;

  /** `workers` run bands beside the calling thread; pass [] for one thread. */
  constructor(private readonly workers: readonly BandWorker[], { bands = 4 }: ParallelRendererOptions = {}) {
    if (!Number.isInteger(bands) || bands < 1) throw new Error(`ParallelRenderer: bands must be a positive integer, got ${bands}`);
    if (workers.length > 0 && !canShareMemory()) throw new Error("ParallelRenderer: workers need SharedArrayBuffer (cross-origin isolation in pages)");
    this.bands = bands;
    // Frames live in one shared WebAssembly memory where the SIMD kernels can run (same bytes
    // as the JS loops, faster); else in SharedArrayBuffers (or plain buffers, one thread).
    this.slots = (wasmSimdSupported() ? WasmArena.create() : null) ?? new SharedSlots(workers.length > 0);
  }

  /** Whether frames live in a WebAssembly arena (the SIMD kernels then run on them). */
  get simd(): boolean {
    return this.slots instanceof WasmArena;
  }

  /** Threads that run bands: the workers plus the calling thread. */
  get threads(): number {
    return this.workers.length + 1;
  }

  async render(mesh: RenderMesh, opts: RenderOptions): Promise<RenderResult> {
    this.current = null;
    const { frame, saved } = prepareFrame(mesh, opts, this.slots);
    if (this.bands > 1) frame.triRows = triangleRows(frame.scr, frame.fused.triangles, opts.height, this.slots.i32("triRows", (frame.fused.triangles.length / 3) * 2));
    if (this.slots instanceof WasmArena) frame.fused.wasm = this.slots.memory;
    // Pixels do not depend on the split, so the forward may balance its bands on the previous
    // frame's coverage (still in the reused rows slot; consecutive views barely differ).
    const { width: W, height: H } = opts;
    let edges = this.lastSize === W * 65536 + H ? coverEdges(frame.rows, this.bands) : null;
    if (!edges || edges[this.bands - 1] === 0) edges = forwardEdges(frame.scr, H, this.bands);
    this.lastSize = W * 65536 + H;
    await this.spread(edges, (bands) => ({ op: "forward", frame, bands }), (bands) => { for (const [y0, y1] of bands) forwardBand(frame, y0!, y1!); });
    this.current = saved;
    return frameResult(frame, saved);
  }

  async renderBackward(result: RenderResult, gradImage: Float32Array, wrt: readonly GradTarget[] = ALL): Promise<RenderGrads> {
    if (result.saved !== this.current) throw new Error("ParallelRenderer.renderBackward: this result is stale (a later render() reused its memory) or from another renderer");
    const job = backwardJob(result, gradImage, wrt, this.slots);
    const shape = accShape(job);
    const accs: BandAcc[] = [];
    for (let b = 0; b < this.bands; b++) {
      let k = 0;
      accs.push(newAcc(shape, (n) => this.slots.f32(`acc${b}.${k++}`, n), (n) => this.slots.f64(`acc${b}.${k++}`, n), (n) => this.slots.i32(`acc${b}.footprint`, n)));
    }
    // The accumulators are zero outside the bands' footprints only after a finished adjoint of
    // the same shape (the slots then hold the same arrays); otherwise every band zeroes them whole.
    const key = JSON.stringify(shape);
    const clean = this.accsClean === key;
    this.accsClean = null;
    const edges = coverEdges(result.saved.frame.rows, this.bands);
    const scratch = (this.scratch = bandScratch(job, this.scratch));
    await this.spread(edges, (bands) => ({ op: "backward", job, accs, bands, clean }), (bands) => { for (const [y0, y1, b] of bands) backwardBand(job, accs[b!]!, scratch, y0!, y1!, bandClear(clean)); });
    // Reduction split by element over the threads; each element sums bands 0…B−1 in order.
    // The texture and normal-map gradients are summed into the renderer's own arrays (reused by
    // its next renderBackward, as a result's arrays are by the next render): no copy out of the
    // band slots and no fresh 512² allocations (their page faults cost as much as the sums).
    const into: ReduceTarget = { texture: shape.texture ? this.slots.f32("grad.texture", shape.texture) : null, normalMap: shape.normalMap ? this.slots.f32("grad.normalMap", shape.normalMap) : null };
    const T = this.threads;
    const parts = Array.from({ length: T }, (_, t) => [t / T, (t + 1) / T] as const);
    await Promise.all([
      ...this.workers.map((w, i) => w.run({ op: "reduce", accs, from: parts[i + 1]![0], to: parts[i + 1]![1], into })),
      Promise.resolve().then(() => reduceBands(accs, parts[0]![0], parts[0]![1], into)),
    ]);
    this.accsClean = key;
    const a = accs[0]!;
    return finishBackward(result.saved, job, { ...a, texture: into.texture, normalMap: into.normalMap });
  }

  private scratch: BandScratch | undefined;
  /** The accumulator shape whose bands 1… are zero outside their footprints, if any. */
  private accsClean: string | null = null;

  /** Contiguous runs of bands per thread (thread 0 = this one); resolves when all are done. */
  private async spread(edges: number[], message: (bands: number[][]) => BandMessage, local: (bands: number[][]) => void): Promise<void> {
    const B = edges.length - 1, T = Math.min(this.threads, B);
    const share = (t: number) => {
      const out: number[][] = [];
      for (let b = Math.floor((t * B) / T); b < Math.floor(((t + 1) * B) / T); b++) out.push([edges[b]!, edges[b + 1]!, b]);
      return out;
    };
    const pending = this.workers.slice(0, T - 1).map((w, i) => w.run(message(share(i + 1))));
    local(share(0));
    await Promise.all(pending);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
