/**
 * ParallelRenderer: render()/renderBackward() with the bands of bands.ts spread over threads.
 * The calling thread takes bands (and forward chunks) in turn with the workers
 * (BandWorker: worker_threads in data-loaders/raster/render-workers.ts, Web Workers in
 * src/components/renderWorkers.ts; both run bandHandler below). Frames live in
 * SharedArrayBuffers, so a message carries views, not copies: in one shared WebAssembly
 * memory where it can be made (wasm/arena.ts), so the SIMD kernels (wasm/) run on the frame in
 * every thread, with the JS loops' bytes. With no workers (or no
 * SharedArrayBuffer, e.g. a page without cross-origin isolation) every band runs on the
 * calling thread: the same bytes, one core.
 *
 * Per frame: a worker computes the vertex normals (NormalsJob) while this thread prepares the
 * rest; threads take forward chunks of rows in turn (pixels do not depend on the split); bands
 * run the adjoint; the reduction is split among threads, one worker also running the per-vertex
 * tail's normals part while the others reduce the atlases and run its clip part.
 *
 * Determinism: the bytes depend on `bands` (default 4), not on the thread count; with
 * `bands: 1` they equal the synchronous renderBackward's. A result's arrays (image, mask,
 * raster) are shared slots that the renderer's next render() overwrites: finish with a result
 * (renderBackward included) before rendering the next frame. Likewise the texture and
 * normal-map gradients renderBackward returns are overwritten by its next call: use or copy
 * them first (the stages consume them within the step).
 */
import { triangleRows } from "./rasterize.js";
import { render, renderBackward, prepareFrame, frameResult, backwardJob, gradsOut, normalsTail, clipTail, addClipTail, frameNormals, type NormalsJob, type FrameMemory, type RenderGrads, type RenderMesh, type RenderOptions, type RenderResult, type Saved, type TailInputs } from "./render.js";
import { WasmArena, registerMemory } from "./wasm/arena.js";
import { wasmSimdSupported } from "./wasm/fused-kernel.js";
import { accShape, backwardBands, bandScratch, coverEdges, everyBuffer, forwardChunks, forwardEdges, newAcc, reduceBands, type BackwardJob, type BandAcc, type BandScratch, type Frame, type GradTarget, type ReduceRanges, type ReduceTarget } from "./bands.js";

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
 * The band count optimization stages render with unless their config says otherwise
 * (`renderBands`, config/views.ts): the same in the CLI, pages and tests, so a run's bytes are
 * the same on 1 thread or on all cores, in Node or in a page.
 */
export const STAGE_BANDS = 4;

/** A stage's renderer when the caller gives none: `bands` bands (the config's) on the calling thread. */
export function stageRenderer(bands = STAGE_BANDS): ParallelRenderer {
  return new ParallelRenderer([], { bands });
}

export type BandMessage =
  | { op: "normals"; job: NormalsJob }
  | { op: "forward"; frame: Frame; edges: number[]; next: Int32Array }
  | { op: "backward"; job: BackwardJob; accs: BandAcc[]; edges: number[]; next: Int32Array; clean: boolean }
  | { op: "reduce"; accs: BandAcc[]; ranges: ReduceRanges; into?: ReduceTarget; tail?: { inputs: TailInputs; out: Float32Array } };

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
    if (m.op === "normals") frameNormals(m.job);
    else if (m.op === "forward") forwardChunks(m.frame, m.edges, m.next);
    else if (m.op === "backward") {
      scratch = bandScratch(m.job, scratch);
      backwardBands(m.job, m.accs, scratch, m.edges, m.next, bandClear(m.clean));
    } else {
      reduceBands(m.accs, m.ranges, m.into);
      if (m.tail) normalsTail(m.tail.inputs, m.accs[0]!.vertexNormals!, m.accs[0]!.bitangents, m.tail.out);
    }
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
  /** Chunks of rows per thread that threads take in turn in a forward (default 3; any value gives the same bytes). */
  chunksPerThread?: number;
}

const ALL: readonly GradTarget[] = ["texture", "normalMap", "positions"];
/** Forward chunks per thread: enough to even out threads, few enough that each chunk's triangle scan stays cheap. */
const CHUNKS_PER_THREAD = 3;

/**
 * Each thread's share of the reduction (thread 0 = the calling one). Evenly by element; or,
 * when thread 1 also runs the tail's normals part (`aside`), it reduces the normals and
 * bitangents whole and 1/(2T+1) of the atlases (the tail costs about that much: on 2 threads
 * 1/5 beat 1/3, 1/10 and 0 in an A/B), and the others split the rest of the atlases and the
 * clip gradients.
 */
export function reducePlans(T: number, aside: boolean): ReduceRanges[] {
  if (!aside || T < 2) return Array.from({ length: T }, (_, t) => everyBuffer(t / T, (t + 1) / T));
  const f = 1 / (2 * T + 1), n = T - 1;
  const at = (j: number) => (j === n ? 1 : f + ((1 - f) * j) / n);
  const others = Array.from({ length: n }, (_, j): ReduceRanges => ({ texture: [at(j), at(j + 1)], normalMap: [at(j), at(j + 1)], clip: [j / n, (j + 1) / n] }));
  return [others[0]!, { vertexNormals: [0, 1], bitangents: [0, 1], texture: [0, f], normalMap: [0, f] }, ...others.slice(1)];
}

export class ParallelRenderer implements FrameRenderer {
  readonly bands: number;
  private readonly slots: SharedSlots | WasmArena;
  private current: Saved | null = null;
  private lastSize = -1;

  private readonly chunksPerThread: number;

  /** `workers` run bands beside the calling thread; pass [] for one thread. */
  constructor(private readonly workers: readonly BandWorker[], { bands = 4, chunksPerThread = CHUNKS_PER_THREAD }: ParallelRendererOptions = {}) {
    if (!Number.isInteger(bands) || bands < 1) throw new Error(`ParallelRenderer: bands must be a positive integer, got ${bands}`);
    if (!Number.isInteger(chunksPerThread) || chunksPerThread < 1) throw new Error(`ParallelRenderer: chunksPerThread must be a positive integer, got ${chunksPerThread}`);
    this.chunksPerThread = chunksPerThread;
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
    // A worker computes the vertex normals (and tangent frame), the largest serial part of a
    // frame, while this thread prepares the rest and bins the triangles by row (measured: the
    // worker, started once the normals' inputs are copied, finishes about when this thread does).
    const K = this.workers.length > 0 ? this.chunksPerThread * this.threads : 1;
    let normals: Promise<void> | null = null;
    let prepared: ReturnType<typeof prepareFrame>;
    try {
      prepared = prepareFrame(mesh, opts, this.slots, this.workers.length > 0 ? (job) => { normals = this.workers[0]!.run({ op: "normals", job }); normals.catch(() => {}); } : undefined);
    } catch (e) {
      await normals; // the worker is free again before the error reaches the caller
      throw e;
    }
    const { frame, saved } = prepared;
    const tris = frame.fused.triangles;
    if (this.bands > 1 || K > 1) frame.triRows = triangleRows(frame.scr, tris, opts.height, this.slots.i32("triRows", (tris.length / 3) * 2));
    if (normals) await normals;
    if (this.slots instanceof WasmArena) frame.fused.wasm = this.slots.memory;
    // Pixels do not depend on the split, so the forward cuts the frame into K chunks of rows,
    // of equal coverage in the previous frame (still in the reused rows slot; consecutive views
    // barely differ), and every thread takes the next chunk until none is left: a thread that
    // starts late (a worker waking up) or meets costlier rows takes fewer.
    const { width: W, height: H } = opts;
    let edges = this.lastSize === W * 65536 + H ? coverEdges(frame.rows, K) : null;
    if (!edges || edges[K - 1] === 0) edges = forwardEdges(frame.scr, H, K);
    this.lastSize = W * 65536 + H;
    await this.inTurn("forward", K, (next) => ({ op: "forward", frame, edges, next }), (next) => forwardChunks(frame, edges, next));
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
    // Threads take bands in turn, as forward chunks: a band's accumulator is its own whoever
    // runs it, so the bytes do not depend on who took which.
    await this.inTurn("backward", this.bands, (next) => ({ op: "backward", job, accs, edges, next, clean }), (next) => backwardBands(job, accs, scratch, edges, next, bandClear(clean)));
    // Reduction split over the threads (reducePlans); each element sums bands 0…B−1 in order.
    // The texture and normal-map gradients are summed into the renderer's own arrays (reused by
    // its next renderBackward, as a result's arrays are by the next render): no copy out of the
    // band slots and no fresh 512² allocations (their page faults cost as much as the sums).
    const into: ReduceTarget = {
      texture: shape.texture ? this.slots.f32("grad.texture", shape.texture) : null,
      normalMap: shape.normalMap ? this.slots.f32("grad.normalMap", shape.normalMap) : null,
      atlases: shape.atlases!,
    };
    const { tail } = result.saved, a = accs[0]!;
    const gPos = job.wantPos ? this.slots.f32("grad.positions", tail.positions.length).fill(0) : null;
    // The per-vertex tail's normals part needs the whole reduced normals (and bitangents) and
    // nothing else: with a worker, that worker reduces them, runs it and takes a smaller share
    // of the atlases, while this thread and any others reduce the rest and run the clip part.
    // The two parts meet in gPos in the synchronous order (normals, then clip), so the bytes do
    // not depend on the split.
    const aside = gPos && a.vertexNormals && this.workers.length > 0 ? this.workers[0]! : null;
    const plans = reducePlans(this.threads, aside !== null);
    const normalsDone = aside ? aside.run({ op: "reduce", accs, ranges: plans[1]!, into, tail: { inputs: tail, out: gPos! } }) : null;
    normalsDone?.catch(() => {}); // awaited below; not an unhandled rejection if the others fail first
    await Promise.all([
      ...this.workers.map((w, i) => (w === aside ? null : w.run({ op: "reduce", accs, ranges: plans[i + 1]!, into }))),
      Promise.resolve().then(() => reduceBands(accs, plans[0]!, into)),
    ]);
    const gSplit = gPos ? clipTail(job, a.clip!) : null;
    if (normalsDone) await normalsDone;
    else if (gPos && a.vertexNormals) normalsTail(tail, a.vertexNormals, a.bitangents, gPos);
    this.accsClean = key;
    const out = gradsOut(job, into);
    // A fresh array, as render's: callers may keep position gradients across frames.
    if (gPos) { addClipTail(tail, gSplit!, gPos); out.positions = gPos.slice(); }
    return out;
  }

  private scratch: BandScratch | undefined;
  /** The accumulator shape whose bands 1… are zero outside their footprints, if any. */
  private accsClean: string | null = null;

  /**
   * `n` items taken in turn from a shared counter by this thread and up to n − 1 workers: each
   * gets `message(next)`, this thread runs `local(next)`; resolves when all are done.
   */
  private async inTurn(name: string, n: number, message: (next: Int32Array) => BandMessage, local: (next: Int32Array) => void): Promise<void> {
    const next = this.slots.i32(`${name}.next`, 1);
    next[0] = 0;
    const pending = this.workers.slice(0, n - 1).map((w) => w.run(message(next)));
    local(next);
    await Promise.all(pending);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
