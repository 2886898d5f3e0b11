// Checkpoints for resumable runs. A checkpoint is one binary file: a JSON header describing
// each entry followed by the raw bytes of its typed arrays, so float32 state round-trips
// bit-exactly (a resumed run must reproduce the uninterrupted one byte for byte).
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../io/atomic.js";

export type CheckpointValue = Float32Array | Float64Array | Int32Array | Uint32Array | number | string | boolean | number[] | null;
export type CheckpointState = Record<string, CheckpointValue>;

const MAGIC = "DFCKPT1\n";
const ARRAY_TYPES = { Float32Array, Float64Array, Int32Array, Uint32Array } as const;
type ArrayTypeName = keyof typeof ARRAY_TYPES;

interface Header {
  step: number;
  arrays: { key: string; type: ArrayTypeName; offset: number; length: number }[];
  values: Record<string, Exclude<CheckpointValue, ArrayLike<number>> | number[]>;
}

export function encodeCheckpoint(step: number, state: CheckpointState): Uint8Array {
  const header: Header = { step, arrays: [], values: {} };
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [key, value] of Object.entries(state)) {
    const typeName = value === null ? undefined : (value.constructor.name as ArrayTypeName);
    if (typeName && typeName in ARRAY_TYPES && ArrayBuffer.isView(value)) {
      const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      // 8-byte alignment so any typed array can view the payload without copying.
      const pad = (8 - (offset % 8)) % 8;
      if (pad) chunks.push(new Uint8Array(pad));
      offset += pad;
      header.arrays.push({ key, type: typeName, offset, length: (value as Float32Array).length });
      chunks.push(bytes);
      offset += bytes.length;
    } else {
      header.values[key] = value as Header["values"][string];
    }
  }
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const prefix = new TextEncoder().encode(MAGIC);
  const lengthBytes = new Uint8Array(4);
  new DataView(lengthBytes.buffer).setUint32(0, headerBytes.length, true);
  let headerEnd = prefix.length + 4 + headerBytes.length;
  const headerPad = (8 - (headerEnd % 8)) % 8;
  headerEnd += headerPad;
  const out = new Uint8Array(headerEnd + offset);
  out.set(prefix, 0);
  out.set(lengthBytes, prefix.length);
  out.set(headerBytes, prefix.length + 4);
  let pos = headerEnd;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}

export function decodeCheckpoint(bytes: Uint8Array): { step: number; state: CheckpointState } {
  const magic = new TextDecoder().decode(bytes.subarray(0, MAGIC.length));
  if (magic !== MAGIC) throw new Error("not a DreamFace checkpoint (bad magic)");
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset + MAGIC.length, 4).getUint32(0, true);
  const headerStart = MAGIC.length + 4;
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(headerStart, headerStart + headerLength))) as Header;
  let payload = headerStart + headerLength;
  payload += (8 - (payload % 8)) % 8;
  const state: CheckpointState = { ...header.values };
  for (const a of header.arrays) {
    const Ctor = ARRAY_TYPES[a.type];
    const byteLength = a.length * Ctor.BYTES_PER_ELEMENT;
    // Copy into a fresh buffer: `bytes` may be a Node Buffer whose slice() shares memory.
    const copy = new Uint8Array(byteLength);
    copy.set(bytes.subarray(payload + a.offset, payload + a.offset + byteLength));
    state[a.key] = new Ctor(copy.buffer, 0, a.length);
  }
  return { step: header.step, state };
}

/**
 * Saves numbered checkpoints `<dir>/checkpoints/step-000123.ckpt`, keeping the newest `keep`.
 * `load()` returns the newest readable one, so a kill during a save costs one interval at most.
 */
export class Checkpointer {
  readonly dir: string;
  constructor(runDir: string, readonly keep = 2) {
    this.dir = join(runDir, "checkpoints");
  }

  save(step: number, state: CheckpointState): string {
    const path = join(this.dir, `step-${String(step).padStart(6, "0")}.ckpt`);
    writeFileAtomic(path, encodeCheckpoint(step, state));
    const all = this.list();
    for (const old of all.slice(0, Math.max(0, all.length - this.keep))) rmSync(join(this.dir, old), { force: true });
    return path;
  }

  load(): { step: number; state: CheckpointState } | undefined {
    for (const name of this.list().reverse()) {
      try {
        return decodeCheckpoint(readFileSync(join(this.dir, name)));
      } catch {
        // A corrupt file can only come from outside interference (saves are atomic); try the previous one.
      }
    }
    return undefined;
  }

  clear(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private list(): string[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir).filter((n) => /^step-\d+\.ckpt$/.test(n)).sort();
  }
}
