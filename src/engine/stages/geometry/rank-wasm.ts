/**
 * The ranking hot loop (two dot products per pool row) as a 128-bit WebAssembly SIMD kernel:
 * four float lanes per instruction where the JavaScript loop does one. The module is ~200
 * bytes, assembled here from its opcodes (no toolchain, no binary file to ship), and runs in
 * Node and browsers alike. The pool must live in the kernel's memory, so `WasmPool` copies it
 * there once; queries then cost one pass. Falls back to the JS kernel in rank.ts where SIMD
 * is unavailable (`wasmSimdSupported()`).
 *
 * Layout of the memory: [16 query slots: 2·D floats each, one per thread][output: 2·N floats][pool: N·D floats].
 */
import type { PoolStats, RankQuery, ScoreParts } from "./rank.js";
import { uleb as leb } from "../../raster/wasm/asm.js";

const PAGE = 65536;
/** Query slots: threads sharing a pool each write their query into their own slot. */
export const QUERY_SLOTS = 16;


const section = (id: number, content: number[]) => [id, ...leb(content.length), ...content];
const ZERO_V128 = [0xfd, 0x0c, ...new Array(16).fill(0)];
const hsum = (local: number) => [
  0x20, local, 0xfd, 0x1f, 0, 0x20, local, 0xfd, 0x1f, 1, 0x92, 0x20, local, 0xfd, 0x1f, 2, 0x92, 0x20, local, 0xfd, 0x1f, 3, 0x92,
];

/**
 * `dots(e, qt, qd, out, rows, dim)`: for each of `rows` rows of `dim` floats starting at byte
 * address `e`, writes (row·qt, row·qd) as two floats at `out`, `out + 4`, then advances.
 * `dim` must be a multiple of 4. Params 0–5; locals 6 rowEnd, 7 j, 8 r, 9 accA, 10 accB, 11 v.
 */
export function dotKernelBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  const load = [0xfd, 0x00, 0x02, 0x00]; // v128.load align=4 offset=0
  const mul = [0xfd, 0xe6, 0x01], add = [0xfd, 0xe4, 0x01];
  const body = [
    0x02, 0x03, 0x7f, 0x03, 0x7b, // locals: 3 × i32, 3 × v128
    0x20, 5, 0x41, 2, 0x74, 0x21, 5, // dim *= 4 (bytes)
    0x20, 4, 0x45, 0x04, 0x40, 0x0f, 0x0b, // if rows == 0 return
    0x03, 0x40, // loop rows
    0x20, 0, 0x20, 5, 0x6a, 0x21, 6, // rowEnd = e + dim
    ...ZERO_V128, 0x21, 9,
    ...ZERO_V128, 0x21, 10,
    0x41, 0, 0x21, 7, // j = 0
    0x03, 0x40, // loop columns
    0x20, 0, ...load, 0x22, 11, // v = load(e)
    0x20, 1, 0x20, 7, 0x6a, ...load, ...mul, 0x20, 9, ...add, 0x21, 9, // accA += v·qt[j]
    0x20, 11, 0x20, 2, 0x20, 7, 0x6a, ...load, ...mul, 0x20, 10, ...add, 0x21, 10, // accB += v·qd[j]
    0x20, 0, 0x41, 16, 0x6a, 0x21, 0, // e += 16
    0x20, 7, 0x41, 16, 0x6a, 0x21, 7, // j += 16
    0x20, 0, 0x20, 6, 0x49, 0x0d, 0, // while e < rowEnd
    0x0b,
    0x20, 3, ...hsum(9), 0x38, 0x02, 0x00, // out[0] = Σ accA
    0x20, 3, ...hsum(10), 0x38, 0x02, 0x04, // out[1] = Σ accB
    0x20, 3, 0x41, 8, 0x6a, 0x21, 3, // out += 8
    0x20, 8, 0x41, 1, 0x6a, 0x22, 8, 0x20, 4, 0x49, 0x0d, 0, // while ++r < rows
    0x0b,
    0x0b,
  ];
  const i32 = 0x7f;
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 6, i32, i32, i32, i32, i32, i32, 0]),
    ...section(2, [1, 3, 0x65, 0x6e, 0x76, 3, 0x6d, 0x65, 0x6d, 0x02, ...(shared ? [0x03, ...leb(1), ...leb(65536)] : [0x00, ...leb(1)])]),
    ...section(3, [1, 0]),
    ...section(7, [1, 4, 0x64, 0x6f, 0x74, 0x73, 0x00, 0]),
    ...section(10, [1, ...leb(body.length), ...body]),
  ];
  return Uint8Array.from(bytes);
}

let supported: boolean | undefined;
/** Whether this runtime validates the SIMD module (Node ≥ 16, current browsers). */
export function wasmSimdSupported(): boolean {
  supported ??= typeof WebAssembly === "object" && WebAssembly.validate(dotKernelBytes(false));
  return supported;
}

type DotsFn = (e: number, qt: number, qd: number, out: number, rows: number, dim: number) => void;

function instantiate(memory: WebAssembly.Memory, shared: boolean): DotsFn {
  const module = new WebAssembly.Module(dotKernelBytes(shared));
  const instance = new WebAssembly.Instance(module, { env: { mem: memory } });
  return instance.exports.dots as DotsFn;
}

/** A pool copied into WebAssembly memory (shared memory when it will be handed to workers). */
export class WasmPool {
  readonly outOffset: number;
  readonly poolOffset: number;
  private readonly dots: DotsFn;

  private constructor(readonly memory: WebAssembly.Memory, readonly n: number, readonly dim: number, readonly shared: boolean) {
    this.outOffset = QUERY_SLOTS * 2 * dim * 4;
    this.poolOffset = this.outOffset + 2 * n * 4;
    this.dots = instantiate(memory, shared);
  }

  static bytesNeeded(n: number, dim: number): number {
    return (QUERY_SLOTS * 2 * dim + 2 * n + n * dim) * 4;
  }

  /** An empty pool of `n` rows to fill through `rows()` (saves a copy for pools built in place). */
  static allocate(n: number, dim: number, { shared = false } = {}): WasmPool {
    if (dim % 4 !== 0) throw new Error(`WasmPool: dimension ${dim} is not a multiple of 4`);
    if (!Number.isInteger(n) || n < 0) throw new Error(`WasmPool: bad row count ${n}`);
    const pages = Math.ceil(WasmPool.bytesNeeded(n, dim) / PAGE);
    if (pages > 65536) throw new Error(`WasmPool: ${n}×${dim} floats exceed the 4 GiB of 32-bit WebAssembly memory`);
    const memory = new WebAssembly.Memory(shared ? { initial: pages, maximum: pages, shared: true } : { initial: pages });
    return new WasmPool(memory, n, dim, shared);
  }

  /** Copies `embeddings [N*dim]` into a new memory; throws when it exceeds wasm32's 4 GiB or dim % 4 ≠ 0. */
  static fromEmbeddings(embeddings: Float32Array, dim: number, { shared = false } = {}): WasmPool {
    const pool = WasmPool.allocate(embeddings.length / dim, dim, { shared });
    pool.rows().set(embeddings);
    return pool;
  }

  /** Whether a pool of this shape can use the kernel here. */
  static fits(n: number, dim: number): boolean {
    return wasmSimdSupported() && dim % 4 === 0 && Math.ceil(WasmPool.bytesNeeded(n, dim) / PAGE) <= 65536;
  }

  /** Re-attaches to a memory made by `fromEmbeddings` (in a worker). */
  static attach(memory: WebAssembly.Memory, n: number, dim: number, shared: boolean): WasmPool {
    return new WasmPool(memory, n, dim, shared);
  }

  /** The pool rows as a Float32Array view `[N*dim]` (valid as long as the memory doesn't grow; it never does). */
  rows(): Float32Array {
    return new Float32Array(this.memory.buffer, this.poolOffset, this.n * this.dim);
  }

  /** Same contract as rank.ts `scoreParts` for rows [start, end); concurrent callers use different `slot`s. */
  scoreParts(stats: PoolStats, query: RankQuery, out: ScoreParts, start = 0, end = this.n, slot = 0): ScoreParts {
    const { dim } = this;
    if (!(slot >= 0 && slot < QUERY_SLOTS)) throw new Error(`WasmPool: query slot ${slot} outside 0…${QUERY_SLOTS - 1}`);
    const queryOffset = slot * 2 * dim * 4;
    const q = new Float32Array(this.memory.buffer, queryOffset, 2 * dim);
    q.set(query.textUnit, 0);
    q.set(query.textDelta, dim);
    const raw = new Float32Array(this.memory.buffer, this.outOffset, 2 * this.n);
    this.dots(this.poolOffset + start * dim * 4, queryOffset, queryOffset + dim * 4, this.outOffset + start * 8, end - start, dim);
    let anchorDotDelta = 0;
    for (let j = 0; j < dim; j++) anchorDotDelta += stats.anchor[j]! * query.textDelta[j]!;
    const { invNorm, invDeltaNorm } = stats;
    for (let r = start; r < end; r++) {
      const inv = invNorm[r]!;
      out.sd[r] = raw[2 * r]! * inv;
      // Eq. 3 in the paper's order (rank.ts): the raw row minus the raw anchor, then normalised.
      out.sr[r] = (raw[2 * r + 1]! - anchorDotDelta) * invDeltaNorm[r]!;
    }
    return out;
  }
}
