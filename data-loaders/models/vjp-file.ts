// Writes a VJP graph (src/engine/autodiff/vjp.ts) of an ONNX file to disk, keeping weights
// where they are. onnxruntime only reads external data inside the model's own folder (it
// rejects "../" and absolute locations), so:
//   - written beside the forward file, the VJP graph references the forward's weights.pb /
//     model.onnx_data as they are (no copy; the derived roles live there for that reason);
//   - written elsewhere, the external tensors it needs are copied into its own <out>.data.
// Inline weights stay inline unless the protobuf would pass 2 GB, then they move to <out>.data.
import { closeSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { vjpModel, type VjpOptions } from "../../src/engine/autodiff/vjp.js";
import { onnx, num, type ModelProto, type TensorProto } from "../../src/engine/autodiff/proto.js";
import { writeFileAtomic } from "../io/atomic.js";

const EXTERNAL = onnx.TensorProto.DataLocation.EXTERNAL;
/** protobuf's hard limit is 2 GiB; keep a margin for the graph itself. */
const INLINE_LIMIT = 1.8 * 1024 ** 3;

export interface VjpFileResult {
  out: string;
  /** The VJP graph's own external-data file, when it needed one. */
  dataFile?: string;
  nodes: number;
  bytes: number;
}

/**
 * Reads ranges of a model's external-data files (`location` relative to `dir`), for
 * `initializerValues`. Like onnxruntime, refuses locations outside the folder.
 */
export function externalReader(dir: string): (location: string, offset: number, length: number) => Uint8Array {
  return (location, offset, length) => {
    if (isAbsolute(location) || location.split(/[\\/]/).includes("..")) throw new Error(`external data location "${location}" leaves the model's folder ${dir}`);
    const fd = openSync(join(dir, location), "r");
    try {
      const out = Buffer.alloc(length);
      let done = 0;
      for (let n = 1; done < length && n > 0; done += n) n = readSync(fd, out, done, length - done, offset + done);
      return out.subarray(0, done);
    } finally {
      closeSync(fd);
    }
  };
}

/** True when some initializer of `model` lives in an external-data file. */
export function hasExternalData(model: ModelProto): boolean {
  return (model.graph?.initializer ?? []).some(isExternal);
}

/** Decodes an ONNX file (its external data stays on disk). */
export function readModel(path: string): ModelProto {
  return onnx.ModelProto.decode(readFileSync(path));
}

export function writeVjpFile(src: string, out: string, options: VjpOptions): VjpFileResult {
  return writeModelFile(vjpModel(readModel(src), options), dirname(resolve(src)), out);
}

/**
 * Writes `model`, whose external-data locations are relative to `srcDir`, to `out`
 * (atomically: the data file first, then the .onnx).
 */
export function writeModelFile(model: ModelProto, srcDir: string, out: string): VjpFileResult {
  const outDir = dirname(resolve(out));
  mkdirSync(outDir, { recursive: true });
  const tensors = model.graph?.initializer ?? [];
  const moveExternal = resolve(srcDir) !== outDir;
  const inlineBytes = tensors.reduce((s, t) => s + (t.rawData?.length ?? 0), 0);
  const moveInline = inlineBytes > INLINE_LIMIT;
  const toMove = tensors.filter((t) => (isExternal(t) ? moveExternal : moveInline && (t.rawData?.length ?? 0) >= 1024));
  let dataFile: string | undefined;
  if (toMove.length) {
    dataFile = `${basename(out)}.data`;
    const path = join(outDir, dataFile);
    const tmp = `${path}.${process.pid}.tmp`;
    const fd = openSync(tmp, "w");
    try {
      let offset = 0;
      for (const t of toMove) {
        const length = isExternal(t) ? copyExternal(t, srcDir, fd) : (writeSync(fd, t.rawData!), t.rawData!.length);
        pointTo(t, dataFile, offset, length);
        offset += length;
      }
    } catch (error) {
      closeSync(fd);
      rmSync(tmp, { force: true });
      throw error;
    }
    closeSync(fd);
    renameSync(tmp, path);
  }
  const bytes = onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
  writeFileAtomic(out, bytes);
  return { out, ...(dataFile ? { dataFile: join(outDir, dataFile) } : {}), nodes: model.graph?.node?.length ?? 0, bytes: bytes.length };
}

function isExternal(t: TensorProto): boolean {
  return t.dataLocation === EXTERNAL;
}

function externalEntry(t: TensorProto, key: string): string | undefined {
  return (t.externalData ?? []).find((e) => e.key === key)?.value ?? undefined;
}

/** Streams one external tensor's bytes from its file into `fd`; returns its length. */
function copyExternal(t: TensorProto, srcDir: string, fd: number): number {
  const location = externalEntry(t, "location");
  if (!location) throw new Error(`initializer "${t.name}" is external but names no location`);
  const from = openSync(join(srcDir, location), "r");
  try {
    const start = Number(externalEntry(t, "offset") ?? 0);
    const length = Number(externalEntry(t, "length") ?? 0) || elementBytes(t);
    const chunk = Buffer.allocUnsafe(Math.min(length, 64 * 1024 * 1024));
    for (let done = 0; done < length; ) {
      const n = readSync(from, chunk, 0, Math.min(chunk.length, length - done), start + done);
      if (n === 0) throw new Error(`${join(srcDir, location)} ends before initializer "${t.name}" (truncated file?)`);
      writeSync(fd, chunk, 0, n);
      done += n;
    }
    return length;
  } finally {
    closeSync(from);
  }
}

function pointTo(t: TensorProto, location: string, offset: number, length: number): void {
  t.rawData = null;
  t.dataLocation = EXTERNAL;
  t.externalData = [
    onnx.StringStringEntryProto.create({ key: "location", value: location }),
    onnx.StringStringEntryProto.create({ key: "offset", value: String(offset) }),
    onnx.StringStringEntryProto.create({ key: "length", value: String(length) }),
  ];
}

/** Byte size of a tensor from its dims and type (for external entries without a length). */
function elementBytes(t: TensorProto): number {
  const size: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 16: 2 };
  return (t.dims ?? []).reduce<number>((a, d) => a * num(d as never), 1) * (size[t.dataType ?? 1] ?? 4);
}
