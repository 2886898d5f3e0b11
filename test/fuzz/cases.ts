// Seeded bad-input cases for the fuzz test (test/fuzz/bad-input.test.ts): each is a command
// line plus the files it reads, and a pattern the one-line error must match to name the
// problem. Generators mutate a valid input (experiments/smoke.json, a tiny PNG, the ICT .glb)
// so every case is one mistake away from something that works.
import { readFileSync } from "node:fs";
import { crc32 } from "node:zlib";
import { encodePng } from "../../data-loaders/io/png.js";
import { join } from "node:path";
import { projectRoot } from "../../data-loaders/io/paths.js";
import { Rng } from "../../src/engine/util/rng.js";
import onnxProto from "onnx-proto";

export interface FuzzCase {
  family: string;
  name: string;
  /** Files to create (relative to the case's folder) before the run. */
  files: Record<string, string | Uint8Array>;
  /** Arguments; "$DIR" is replaced by the case's folder, "$OUT" by the output path (which must not appear). */
  args: string[];
  env?: Record<string, string>;
  /** What the one line must mention. */
  names: RegExp;
}

const smoke = JSON.parse(readFileSync(join(projectRoot, "experiments", "smoke.json"), "utf8")) as Record<string, unknown>;
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function setPath(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let o = obj;
  for (const k of path.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
  o[path.at(-1)!] = value;
}

/** Leaves of the experiment schema worth mutating (λ's, schedules, sizes, enums), by section. */
const NUMBER_PATHS = [
  "seed",
  "geometry.ranking.lambdaDirect",
  "geometry.ranking.lambdaRelative",
  "geometry.ranking.topK",
  "geometry.carving.steps",
  "geometry.carving.renderSize",
  "geometry.carving.normalMapSize",
  "geometry.carving.lambdaSds",
  "geometry.carving.lambdaShape",
  "geometry.carving.lambdaGeo",
  "geometry.carving.lambdaMap",
  "geometry.carving.guidance",
  "geometry.carving.tMin",
  "geometry.carving.tMax",
  "geometry.carving.maxDisplacement",
  "geometry.carving.snapshotEvery",
  "texture.lambdaGeneric",
  "texture.lambdaTexture",
  "texture.tMin",
  "texture.tMax",
  "texture.latent.steps",
  "texture.image.steps",
  "texture.pbr.size",
];
/** Out-of-range values per leaf (each invalid for that leaf). */
const OUT_OF_RANGE: Record<string, unknown[]> = {
  seed: [-1, 2 ** 40, 0.5],
  "geometry.ranking.lambdaDirect": [-1, -0.001],
  "geometry.ranking.lambdaRelative": [-2],
  "geometry.ranking.topK": [0, -4, 1.5],
  "geometry.carving.steps": [-1, 2.5],
  "geometry.carving.renderSize": [4, 100000],
  "geometry.carving.normalMapSize": [2, 1e6],
  "geometry.carving.lambdaSds": [-1],
  "geometry.carving.lambdaShape": [-0.5],
  "geometry.carving.lambdaGeo": [-1000],
  "geometry.carving.lambdaMap": [-10],
  "geometry.carving.guidance": [-7.5],
  "geometry.carving.tMin": [-0.1, 1.5],
  "geometry.carving.tMax": [1.2, -0.5],
  "geometry.carving.maxDisplacement": [0, -1],
  "geometry.carving.snapshotEvery": [0],
  "texture.lambdaGeneric": [-1],
  "texture.lambdaTexture": [-3],
  "texture.tMin": [-0.2, 2],
  "texture.tMax": [1.01, -1],
  "texture.latent.steps": [-8],
  "texture.image.steps": [-4, 0.25],
  "texture.pbr.size": [0, -512],
};
const WRONG_TYPES: unknown[] = ["ten", [], {}, true, null, [1, 2, 3, 4, 5]];
const BAD_SCHEDULES: unknown[] = [[0, 1], [10, 1, 0], "linear", { points: [] }, { points: [[5, 1], [2, 0.5]] }, { points: [[0, "a"]] }, [0, 1, 0.5, -10]];
const SCHEDULE_PATHS = ["geometry.carving.lambdaSds", "geometry.carving.guidance", "geometry.carving.tMin", "texture.lambdaTexture", "texture.tMax"];
const OBJECT_PATHS = ["", "geometry", "geometry.carving", "geometry.ranking", "texture", "texture.latent", "texture.pbr"];

/** `n` experiment files with one mistake each, run through `geometry <prompt>` or `generate`. */
export function experimentCases(rng: Rng, n: number): FuzzCase[] {
  const cases: FuzzCase[] = [];
  const syntax: [string, string | Uint8Array, RegExp][] = [
    ["truncated JSON", JSON.stringify(smoke).slice(0, 40), /not valid JSON/],
    ["empty file", "", /not valid JSON|empty/],
    ["a JSON array", "[1, 2]", /experiment/],
    ["a JSON string", '"smoke"', /experiment/],
    ["binary bytes", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]), /not valid JSON/],
  ];
  for (const [what, text, names] of syntax) cases.push(experimentCase(rng, `experiment: ${what}`, text, names));
  while (cases.length < n) {
    const exp = clone(smoke);
    const kind = rng.int(0, 3);
    let path: string, value: unknown, what: string;
    if (kind === 0) {
      path = NUMBER_PATHS[rng.int(0, NUMBER_PATHS.length - 1)]!;
      value = WRONG_TYPES[rng.int(0, WRONG_TYPES.length - 1)];
      what = "wrong type";
    } else if (kind === 1) {
      const keys = Object.keys(OUT_OF_RANGE);
      path = keys[rng.int(0, keys.length - 1)]!;
      const values = OUT_OF_RANGE[path]!;
      value = values[rng.int(0, values.length - 1)];
      what = "out of range";
    } else if (kind === 2) {
      const parent = OBJECT_PATHS[rng.int(0, OBJECT_PATHS.length - 1)]!;
      path = [parent, ["lamdaSds", "stepz", "promt", "tMn", "extra"][rng.int(0, 4)]!].filter(Boolean).join(".");
      value = rng.int(0, 1) ? 1 : "x";
      what = "unknown key";
    } else {
      path = SCHEDULE_PATHS[rng.int(0, SCHEDULE_PATHS.length - 1)]!;
      value = BAD_SCHEDULES[rng.int(0, BAD_SCHEDULES.length - 1)];
      what = "bad schedule";
    }
    setPath(exp, path.split("."), value);
    const leaf = path.split(".").at(-1)!;
    cases.push(experimentCase(rng, `experiment: ${what} ${path} = ${JSON.stringify(value)}`, JSON.stringify(exp), new RegExp(escape(leaf))));
  }
  return cases;
}

function experimentCase(rng: Rng, name: string, text: string | Uint8Array, names: RegExp): FuzzCase {
  const command = rng.int(0, 1) ? ["geometry", "a face"] : ["generate", "a face"];
  return { family: "experiment", name: `${command[0]} ${name}`, files: { "exp.json": text }, args: [...command, "--experiment", "$DIR/exp.json", "--out", "$OUT"], names };
}

/** Prompts no model should be given: empty, blank, too long for CLIP, control and bidi-override characters. */
export function promptCases(): FuzzCase[] {
  const prompts: [string, string, RegExp][] = [
    ["empty", "", /prompt is empty/],
    ["blank", " \t ", /prompt is empty/],
    ["10k characters", "a wrinkled old face ".repeat(500), /prompt .*too long|tokens/],
    ["a NUL byte", "an old man\u0000 with a beard", /control character/],
    ["a bell and escape", "a face \u0007\u001b[31m red", /control character/],
    ["a right-to-left override", "a face \u202e\u05d0\u05d1", /control character/],
    ["an isolate and a DEL", "\u2067wide nose\u2069\u007f", /control character/],
  ];
  const cases: FuzzCase[] = [];
  for (const [what, prompt, names] of prompts) {
    cases.push({ family: "prompt", name: `geometry prompt: ${what}`, files: {}, args: ["geometry", prompt, "--out", "$OUT"], names });
    cases.push({ family: "prompt", name: `generate prompt: ${what}`, files: {}, args: ["generate", prompt, "--out", "$OUT"], names });
  }
  return cases;
}

/** A PNG whose IHDR claims `width`×`height` (CRC fixed up), the pixel data left as it was. */
function withHeader(png: Uint8Array, width: number, height: number): Uint8Array {
  const out = png.slice();
  const view = new DataView(out.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  view.setUint32(29, crc32(out.subarray(12, 29)));
  return out;
}

const flat = (w: number, h: number, c: number) => new Float32Array(w * h * c).fill(0.5);

/** Diffuse maps `edit` must refuse: unreadable, not PNG, too small, absurdly large, not square. */
export function imageCases(): FuzzCase[] {
  const good = encodePng(flat(32, 32, 3), 32, 32);
  const corrupt = good.slice();
  for (let i = 45; i < corrupt.length - 16; i += 7) corrupt[i] = corrupt[i]! ^ 0x5a;
  const images: [string, Uint8Array, RegExp][] = [
    ["corrupt PNG (flipped bytes)", corrupt, /map\.png.*not a readable PNG/],
    ["truncated PNG", good.subarray(0, good.length >> 1), /map\.png.*not a readable PNG/],
    ["JPEG bytes", new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xd9]), /map\.png.*not a readable PNG/],
    ["zero bytes", new Uint8Array(0), /map\.png.*not a readable PNG/],
    ["1×1", encodePng(flat(1, 1, 3), 1, 1), /too small/],
    ["1×1 16-bit", encodePng(flat(1, 1, 3), 1, 1, { bits: 16 }), /too small/],
    ["20000² header (RGB)", withHeader(good, 20000, 20000), /20000×20000/],
    ["20000² header (grey + alpha, 16-bit)", withHeader(encodePng(flat(32, 32, 4), 32, 32, { channels: 4, bits: 16 }), 20000, 20000), /20000×20000/],
    // 64×32 is a valid 2:1 atlas (face tile | head tile, face/atlas.ts): 48×32 is neither square nor square tiles.
    ["not square nor square tiles (grey 48×32)", encodePng(flat(48, 32, 1), 48, 32, { channels: 1 }), /square/],
  ];
  return images.map(([what, bytes, names]) => ({ family: "image", name: `edit diffuse map: ${what}`, files: { "map.png": bytes }, args: ["edit", "$DIR/map.png", "--prompt", "with freckles", "--out", "$OUT.png"], names }));
}

/** A minimal binary glTF: one triangle, optionally with morph targets. */
export function triangleGlb(morphTargets: number): Uint8Array {
  const positions = new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0]);
  const bin = new Uint8Array(positions.byteLength * (1 + morphTargets));
  for (let k = 0; k <= morphTargets; k++) bin.set(new Uint8Array(positions.buffer), k * positions.byteLength);
  const accessor = (k: number) => ({ bufferView: k, componentType: 5126, count: 3, type: "VEC3", min: [0, 0, 0], max: [1, 1, 0] });
  const json = {
    asset: { version: "2.0" },
    scenes: [{ nodes: [0] }],
    nodes: [{ mesh: 0 }],
    meshes: [{ primitives: [{ attributes: { POSITION: 0 }, ...(morphTargets ? { targets: Array.from({ length: morphTargets }, (_, k) => ({ POSITION: k + 1 })) } : {}) }] }],
    buffers: [{ byteLength: bin.byteLength }],
    bufferViews: Array.from({ length: 1 + morphTargets }, (_, k) => ({ buffer: 0, byteOffset: k * 36, byteLength: 36 })),
    accessors: Array.from({ length: 1 + morphTargets }, (_, k) => accessor(k)),
  };
  let text = JSON.stringify(json);
  while (text.length % 4) text += " ";
  const jsonBytes = new TextEncoder().encode(text);
  const total = 12 + 8 + jsonBytes.length + 8 + bin.length;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x46546c67, true);
  v.setUint32(4, 2, true);
  v.setUint32(8, total, true);
  v.setUint32(12, jsonBytes.length, true);
  v.setUint32(16, 0x4e4f534a, true);
  out.set(jsonBytes, 20);
  v.setUint32(20 + jsonBytes.length, bin.length, true);
  v.setUint32(24 + jsonBytes.length, 0x004e4942, true);
  out.set(bin, 28 + jsonBytes.length);
  return out;
}

/** `.glb` assets `animate` must refuse before tracking: another topology, corrupt or empty files. `face` is a valid ICT .glb. */
export function glbCases(face: Uint8Array, photo: Uint8Array): FuzzCase[] {
  const glbs: [string, Uint8Array | string, RegExp][] = [
    ["a triangle without morph targets", triangleGlb(0), /asset\.glb.*ICT-FaceKit topology/],
    ["a triangle with 3 morph targets", triangleGlb(3), /asset\.glb.*ICT-FaceKit topology|53/],
    ["the ICT face truncated", face.subarray(0, face.length >> 1), /asset\.glb/],
    ["zero bytes", new Uint8Array(0), /asset\.glb/],
    ["a text file", "not a glb at all\n", /asset\.glb/],
  ];
  return glbs.map(([what, bytes, names]) => ({
    family: "glb",
    name: `animate asset: ${what}`,
    files: { "asset.glb": bytes, "images/a.png": photo },
    args: ["animate", "$DIR/asset.glb", "--images", "$DIR/images", "--out", "$OUT.glb", "--run-dir", "$OUT-run"],
    names,
  }));
}

/** Videos `animate` must refuse: empty, not a video, a PNG renamed. */
export function videoCases(face: Uint8Array, photo: Uint8Array): FuzzCase[] {
  const videos: [string, string, Uint8Array | string][] = [
    ["zero bytes", "clip.webm", new Uint8Array(0)],
    ["text named .mp4", "clip.mp4", "hello, not a video\n".repeat(20)],
    ["a PNG named .webm", "clip.webm", photo],
  ];
  return videos.map(([what, name, bytes]) => ({
    family: "video",
    name: `animate video: ${what}`,
    files: { "asset.glb": face, [name]: bytes },
    args: ["animate", "$DIR/asset.glb", "--video", `$DIR/${name}`, "--out", "$OUT.glb", "--run-dir", "$OUT-run"],
    names: new RegExp(escape(name)),
  }));
}

/** An sd15-layout model folder built from the tiny models (test/fuzz only: it checks files, not weights). */
function sd15Folder(): Record<string, Uint8Array> {
  const tiny = (f: string) => new Uint8Array(readFileSync(join(projectRoot, "models", "tiny", f)));
  return {
    "sd15/text_encoder/model.onnx": tiny("text_encoder.onnx"),
    "sd15/unet/model.onnx": tiny("unet.onnx"),
    "sd15/vae_encoder/model.onnx": tiny("vae_encoder.onnx"),
    "sd15/vae_decoder/model.onnx": tiny("vae_decoder.onnx"),
    "sd15/clip/text_model.onnx": tiny("clip_text.onnx"),
    "sd15/clip/vision_model.onnx": tiny("clip_image.onnx"),
  };
}

type Model = InstanceType<typeof onnxProto.onnx.ModelProto>;
const DataType = onnxProto.onnx.TensorProto.DataType;

/** The declared value `name` (graph input or output) of a decoded model. */
function value(m: Model, name: string) {
  const v = [...(m.graph?.input ?? []), ...(m.graph?.output ?? [])].find((x) => x.name === name);
  if (!v?.type?.tensorType) throw new Error(`fuzz: no value ${name}`);
  return v.type.tensorType;
}
/** Sets dim `axis` of `name` to a fixed size. */
const setDim = (name: string, axis: number, size: number) => (m: Model) => void (value(m, name).shape!.dim![axis] = onnxProto.onnx.TensorShapeProto.Dimension.create({ dimValue: size }));
const setDtype = (name: string, dtype: number) => (m: Model) => void (value(m, name).elemType = dtype);
/** A diffusers-style dynamic channel axis on `name`, and the first Conv reading it declaring a `channels`-wide weight. */
const symbolicChannels = (name: string, channels: number) => (m: Model) => {
  value(m, name).shape!.dim![1] = onnxProto.onnx.TensorShapeProto.Dimension.create({ dimParam: "channels" });
  const conv = m.graph!.node!.find((n) => n.opType === "Conv" && n.input?.[0] === name)!;
  m.graph!.initializer!.find((t) => t.name === conv.input![1])!.dims![1] = channels;
};
const setOpset = (version: number) => (m: Model) => void (m.opsetImport![0]!.version = version);

/**
 * Well-formed models that are not SD1.5 / CLIP ViT-L/14 as the cards describe them: the declared
 * signature or opset of a real neighbour (SD2's 1024-wide text states, the 9-channel inpainting
 * UNet, ViT-B's 512-wide projection, CLIP@336, SD3's 16-channel VAE, float64 or bfloat16 tensors,
 * int ids as floats, opsets older than the public exporters' 14). Only the declared signature
 * changes: the check must refuse them from the proto alone, before any session opens.
 */
const SIGNATURE_BREAKS: Record<"wrong dims" | "wrong dtype" | "wrong opset", [string, string, (m: Model) => void, RegExp][]> = {
  "wrong dims": [
    ["unet", "encoder_hidden_states 1024 wide (SD2)", setDim("encoder_hidden_states", 2, 1024), /input "encoder_hidden_states" dim 2: expected 768, found 1024/],
    ["unet", "sample with 9 channels (inpainting)", setDim("sample", 1, 9), /input "sample" dim 1: expected 4, found 9/],
    ["unet", "symbolic channels, a 9-channel first Conv", symbolicChannels("sample", 9), /input "sample" dim 1 \(symbolic "channels".*expected 4, found 9/],
    ["text_encoder", "last_hidden_state 1024 wide (SD2)", setDim("last_hidden_state", 2, 1024), /output "last_hidden_state" dim 2: expected 768, found 1024/],
    ["vae_encoder", "16 latent channels (SD3 VAE)", setDim("latent_sample", 1, 16), /output "latent_sample" dim 1: expected 4 or 8, found 16/],
    ["clip_text", "text_embeds 512 wide (ViT-B)", setDim("text_embeds", 1, 512), /output "text_embeds" dim 1: expected 768, found 512/],
    ["clip_image", "pixel_values 336² (ViT-L/14@336)", setDim("pixel_values", 2, 336), /input "pixel_values" dim 2: expected 224, found 336/],
  ],
  "wrong dtype": [
    ["unet", "float64 sample", setDtype("sample", DataType.DOUBLE), /input "sample" dtype: expected float32 or float16, found double/],
    ["unet", "bfloat16 encoder_hidden_states", setDtype("encoder_hidden_states", DataType.BFLOAT16), /input "encoder_hidden_states" dtype: expected float32 or float16, found bfloat16/],
    ["text_encoder", "float input_ids", setDtype("input_ids", DataType.FLOAT), /input "input_ids" dtype: expected int32 or int64, found float32/],
    ["clip_image", "float64 image_embeds", setDtype("image_embeds", DataType.DOUBLE), /output "image_embeds" dtype: expected float32 or float16, found double/],
  ],
  "wrong opset": [
    ["unet", "opset 11", setOpset(11), /opset: expected ai\.onnx ≥ 14.*found 11/],
    ["text_encoder", "opset 13", setOpset(13), /opset: expected ai\.onnx ≥ 14.*found 13/],
    ["clip_text", "opset 9", setOpset(9), /opset: expected ai\.onnx ≥ 14.*found 9/],
  ],
};

/**
 * Model folders with one bad file, run through `geometry --profile sd15`: broken files (zero
 * bytes, truncated, random bytes: `perKind` of each, roles drawn from `rng`) and every well-formed
 * file of the wrong dims, dtype or opset in SIGNATURE_BREAKS.
 */
export function modelCases(rng: Rng, perKind: number): FuzzCase[] {
  const roles: Record<string, string> = {
    text_encoder: "sd15/text_encoder/model.onnx",
    unet: "sd15/unet/model.onnx",
    vae_encoder: "sd15/vae_encoder/model.onnx",
    clip_text: "sd15/clip/text_model.onnx",
    clip_image: "sd15/clip/vision_model.onnx",
  };
  const breaks: [string, (b: Uint8Array) => Uint8Array][] = [
    ["zero bytes", () => new Uint8Array(0)],
    ["truncated to a third", (b) => b.subarray(0, Math.floor(b.length / 3))],
    ["random bytes", (b) => Uint8Array.from(b.subarray(0, 4096), () => rng.int(0, 255))],
  ];
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(0, xs.length - 1)]!;
  const roleNames = Object.keys(roles);
  const cases: FuzzCase[] = [];
  const push = (role: string, what: string, edit: (b: Uint8Array) => Uint8Array, detail?: RegExp) => {
    const file = roles[role]!;
    const files = sd15Folder();
    files[file] = edit(files[file]!);
    const names = new RegExp(`${escape(file.slice("sd15/".length))} \\(${role}\\).*${detail?.source ?? ""}`);
    cases.push({ family: "model", name: `sd15 folder: ${role} ${what}`, files, args: ["geometry", "a face", "--profile", "sd15", "--out", "$OUT"], env: { DREAMFACE_SD15_DIR: "$DIR/sd15" }, names });
  };
  for (const [what, broken] of breaks) for (let i = 0; i < perKind; i++) push(pick(roleNames), what, broken);
  // Every signature variant once (a draw would repeat some and skip others).
  for (const [kind, variants] of Object.entries(SIGNATURE_BREAKS)) {
    for (const [role, what, edit, detail] of variants) {
      const mutate = (b: Uint8Array) => {
        const m = onnxProto.onnx.ModelProto.decode(b);
        edit(m);
        return onnxProto.onnx.ModelProto.encode(m).finish();
      };
      push(role, `${kind}: ${what}`, mutate, detail);
    }
  }
  return cases;
}
