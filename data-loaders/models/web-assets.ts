// Files the pages need to run models with onnxruntime-web: its wasm binary (Framework does
// not copy it from node_modules) and the tiny profile's .onnx files.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { cardsFor } from "../../models/cards/profiles.js";
import { defaultTinyDir } from "./build-tiny.js";
import { ensureTinyModels } from "./ensure-tiny.js";
import { DERIVED_FROM, ensureDerived } from "./derive.js";

/** The wasm that onnxruntime-web's default browser bundle (wasm + WebGPU) loads. */
export const ORT_WASM = "ort-wasm-simd-threaded.jsep.wasm";

export function ortWasmBytes(): Buffer {
  const require = createRequire(import.meta.url);
  const dist = dirname(require.resolve("onnxruntime-web")); // …/onnxruntime-web/dist/ort.node.min.js
  return readFileSync(join(dist, ORT_WASM));
}

/** A tiny model's bytes, building the profile first if needed. */
export async function tinyModelBytes(role: string): Promise<Buffer> {
  const manifest = await ensureTinyModels();
  const f = manifest.files[role];
  // Derived roles (text_encoder_embeds, token_embeddings: the texture path's Q(P, C_d)) are written from their public source here, as the Node backend does.
  const source = DERIVED_FROM[role] && manifest.files[DERIVED_FROM[role]!];
  if (!f && source) return readFileSync(ensureDerived(role, join(defaultTinyDir(), source.file)).file);
  if (!f) throw new Error(`no tiny model for role "${role}" (have ${Object.keys(manifest.files).join(", ")})`);
  return readFileSync(join(defaultTinyDir(), f.file));
}

/** The tiny profile's cards plus the manifest's sha256s, for the models page. */
export async function tinyCardsWithHashes() {
  const manifest = await ensureTinyModels();
  return {
    note: manifest.note,
    seed: manifest.seed,
    cards: cardsFor("tiny").map((c) => ({ ...c, sha256: manifest.files[c.role]?.sha256, bytes: manifest.files[c.role]?.bytes })),
    sd15: cardsFor("sd15").map((c) => ({ role: c.role, file: c.file, source: c.source })),
  };
}
