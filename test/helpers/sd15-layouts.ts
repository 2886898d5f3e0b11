// The committed sd15-shaped fixtures (test/fixtures/sd15-layouts/<layout>/, made by
// models/export/make_fixtures.py) as a profile folder: what `models pull sd15` would leave.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { projectRoot } from "../../data-loaders/io/paths.js";
import { buildClipImage, buildClipText, buildTextEncoder } from "../../models/tiny/build.js";

export const sd15Layouts = join(projectRoot, "test", "fixtures", "sd15-layouts");

/** A copy of the layout's UNet/VAE plus the tiny text encoder and CLIP, under `root`/`layout`/sd15. */
export function sd15ProfileFolder(root: string, layout: string): string {
  const dir = join(root, layout, "sd15");
  cpSync(join(sd15Layouts, layout), dir, { recursive: true }); // derived graphs are written beside their sources
  const files: [string, Uint8Array][] = [
    ["text_encoder/model.onnx", buildTextEncoder(0, { idsType: layout === "diffusers" ? "int32" : "int64" })],
    ["clip/text_model.onnx", buildClipText(0)],
    ["clip/vision_model.onnx", buildClipImage(0)],
  ];
  for (const [file, bytes] of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), bytes);
  }
  return dir;
}
