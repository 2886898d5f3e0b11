/**
 * WasmArena: a FrameMemory (render.ts) whose named slots all live in ONE shared
 * WebAssembly.Memory, so the SIMD kernels (fused-kernel.ts, texture-kernel.ts) run on a
 * frame's arrays in place: a kernel gets byte offsets, nothing is copied per call. The
 * ParallelRenderer uses it where shared memory and SIMD exist; its workers instantiate the
 * same kernels on the same memory (the Memory travels in the frame, `FusedInputs.wasm`).
 *
 * Which arrays a kernel may touch: `arenaOf(a.buffer)` recognises a buffer of a registered
 * memory in any thread. Identity (`a.buffer === memory.buffer`) is not enough: a shared
 * memory's grow hands out a new SharedArrayBuffer object for the same bytes (older views stay
 * valid), and every worker message deserialises new buffer objects. So the first 16 bytes
 * hold a random id and a probe counter: a buffer is the memory when it carries the id and sees
 * a counter increment made through the memory (a copy of the bytes would not). Verdicts are
 * cached per buffer object. Arrays elsewhere make the kernels decline (the JS path runs).
 */
import type { FrameMemory } from "../render.js";

const PAGE = 65536;
/** Bytes 0–7: the arena id; 8–11: the probe counter. */
const HEADER = 64;
/** Slack after each slot: kernels load 4 floats where they use 3 (the fourth lane is ignored). */
const PAD = 16;
/** 4 GiB, wasm32's limit; a shared memory reserves address space only, and grows in place. */
const MAX_PAGES = 65536;

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor | Uint32ArrayConstructor | Uint8ArrayConstructor;
type View = ArrayBufferView & { length: number; fill(value: number): unknown };

/** Whether arenas can exist here: WebAssembly with shared memory (needs SharedArrayBuffer). */
export function canUseArena(): boolean {
  return typeof WebAssembly === "object" && typeof SharedArrayBuffer !== "undefined";
}

export class WasmArena implements FrameMemory {
  readonly memory: WebAssembly.Memory;
  private top = HEADER;
  private readonly slots = new Map<string, { offset: number; capacity: number; view: View }>();

  /** A new arena, or null where shared WebAssembly memory cannot be made (no SharedArrayBuffer, or no room to reserve it). */
  static create(): WasmArena | null {
    if (!canUseArena()) return null;
    try {
      return new WasmArena();
    } catch {
      return null;
    }
  }

  constructor() {
    this.memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
    const head = new Uint32Array(this.memory.buffer, 0, 4);
    head[0] = (Math.random() * 2 ** 32) >>> 0;
    head[1] = (Math.random() * 2 ** 32) >>> 0 || 1; // never all-zero (fresh memory reads as 0:0)
    registerMemory(this.memory);
  }

  /** Bytes in use (slots and header); the memory itself may be larger. */
  get used(): number {
    return this.top;
  }

  private get<T extends View>(name: string, C: Ctor, n: number): T {
    const hit = this.slots.get(name);
    if (hit && hit.view.length === n && hit.view.constructor === C) return hit.view as T;
    const bytes = n * C.BYTES_PER_ELEMENT;
    let offset: number;
    if (hit && hit.capacity >= bytes + PAD) offset = hit.offset;
    else {
      // A slot that outgrew its place moves to the end (its old bytes stay unused: sizes
      // settle after the first frame at a resolution).
      offset = this.top;
      const end = offset + bytes + PAD;
      const have = this.memory.buffer.byteLength;
      if (end > have) {
        try {
          this.memory.grow(Math.ceil((end - have) / PAGE));
        } catch {
          // Out of wasm32 memory: a plain shared array (kernels decline it, the JS path runs).
          const a = new (C as unknown as new (b: ArrayBufferLike) => T)(new SharedArrayBuffer(bytes));
          this.slots.delete(name);
          return a;
        }
      }
      this.top = (end + 15) & ~15;
    }
    const view = new (C as unknown as new (b: ArrayBufferLike, o: number, n: number) => T)(this.memory.buffer, offset, n);
    // A new slot reads as zeros, as a fresh SharedArrayBuffer slot does (a reused place holds old bytes).
    if (hit && offset === hit.offset) view.fill(0);
    this.slots.set(name, { offset, capacity: hit && offset === hit.offset ? hit.capacity : bytes + PAD, view });
    return view;
  }

  f32 = (name: string, n: number) => this.get<Float32Array>(name, Float32Array, n);
  f64 = (name: string, n: number) => this.get<Float64Array>(name, Float64Array, n);
  i32 = (name: string, n: number) => this.get<Int32Array>(name, Int32Array, n);
  u32 = (name: string, n: number) => this.get<Uint32Array>(name, Uint32Array, n);
  u8 = (name: string, n: number) => this.get<Uint8Array>(name, Uint8Array, n);
}

// Per thread: the memories this thread has seen (by id; weakly, so a dropped renderer's memory
// is freed), and verdicts per buffer object.
const known = new Map<string, WeakRef<WebAssembly.Memory>>();
const verdicts = new WeakMap<object, WebAssembly.Memory | null>();

const idOf = (buffer: ArrayBufferLike): string => {
  const h = new Uint32Array(buffer, 0, 2);
  return `${h[0]}:${h[1]}`;
};

/** Makes a memory made by a WasmArena (possibly in another thread) known to this thread. */
export function registerMemory(memory: WebAssembly.Memory): void {
  const id = idOf(memory.buffer);
  if (known.get(id)?.deref()) return;
  for (const [k, ref] of known) if (!ref.deref()) known.delete(k);
  known.set(id, new WeakRef(memory));
}

/** The registered arena memory whose bytes `buffer` views, or null. */
export function arenaOf(buffer: ArrayBufferLike): WebAssembly.Memory | null {
  const hit = verdicts.get(buffer);
  if (hit !== undefined) return hit;
  let found: WebAssembly.Memory | null = null;
  if (typeof SharedArrayBuffer !== "undefined" && buffer instanceof SharedArrayBuffer && buffer.byteLength >= HEADER) {
    const m = known.get(idOf(buffer))?.deref();
    if (m) {
      // The counter only rises, so a copy holds a value older than this increment.
      const n = Atomics.add(new Int32Array(m.buffer, 0, 4), 2, 1) + 1;
      if (((Atomics.load(new Int32Array(buffer, 0, 4), 2) - n) | 0) >= 0) found = m;
    }
  }
  verdicts.set(buffer, found);
  return found;
}

/**
 * Byte offsets of `arrays` (nulls allowed) when they all lie in one registered arena memory
 * (the one returned with them), else null.
 */
export function arenaOffsets(arrays: readonly (ArrayBufferView | null)[]): { memory: WebAssembly.Memory; offsets: number[] } | null {
  let memory: WebAssembly.Memory | null = null;
  const offsets: number[] = [];
  for (const a of arrays) {
    if (a === null) { offsets.push(0); continue; }
    const m = arenaOf(a.buffer);
    if (m === null || (memory !== null && m !== memory)) return null;
    memory = m;
    offsets.push(a.byteOffset);
  }
  return memory ? { memory, offsets } : null;
}
