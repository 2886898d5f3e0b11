// A texture-LDM dataset on disk, generated or the user's own, one layout for both:
//
//   DIR/desired/<name>.png        lighting-free albedo UV maps (domain Ω_d)
//   DIR/undesired/<name>.png      anything else (shading, highlights, hats, holes: Ω_u)
//   DIR/<domain>/<name>.txt       the caption (one line, required)
//   DIR/<domain>/<name>.mask.png  optional non-face mask B (white = face, black = non-face);
//                                 missing = all face
//
// All maps square, one size, a multiple of 8 (the VAE factor). DIR/dataset.json, when present,
// records how a generated set was made.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../cli/errors.js";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.js";
import { encodePng, readPng } from "../io/png.js";
import { sha256 } from "../io/hash.js";
import { uvSample } from "../../src/engine/stages/texture-ldm/uv-dataset.js";
import type { Domain } from "../../src/engine/stages/texture-ldm/variants.js";
import { ictUvGeometry } from "./uv-geometry.js";
import { photoUvAlbedo } from "./photo-albedo.js";

export interface DatasetItem {
  name: string;
  domain: Domain;
  /** [size²·3] in [0,1]. */
  image: Float32Array;
  /** [size²]. */
  mask: Float32Array;
  caption: string;
}

export interface Dataset {
  dir: string;
  size: number;
  items: DatasetItem[];
  /** sha256 over every file's bytes, in read order: names the data in protocols. */
  hash: string;
}

const DOMAINS: readonly Domain[] = ["desired", "undesired"];

export async function generateDataset(dir: string, { count = 256, seed = 0, size = 64 } = {}): Promise<void> {
  if (!Number.isInteger(count) || count < 4) throw new UserError(`--count must be an integer ≥ 4, got ${count}`);
  if (!Number.isInteger(size) || size < 8 || size % 8) throw new UserError(`--size must be a multiple of 8, got ${size}`);
  const geo = await ictUvGeometry(size);
  const photo = await photoUvAlbedo(size);
  const fromPhoto = "image" in photo ? photo : undefined;
  for (const d of DOMAINS) mkdirSync(join(dir, d), { recursive: true });
  for (let i = 0; i < count; i++) {
    const s = uvSample(geo, seed, i, fromPhoto);
    const name = `uv-${String(i >> 1).padStart(5, "0")}`;
    const base = join(dir, s.domain, name);
    writeFileAtomic(`${base}.png`, encodePng(s.image, size, size));
    writeFileAtomic(`${base}.txt`, s.caption + "\n");
    if (s.domain === "undesired") writeFileAtomic(`${base}.mask.png`, encodePng(s.mask, size, size, { channels: 1 }));
  }
  writeJsonAtomic(join(dir, "dataset.json"), {
    generator: "dreamface texture-ldm data (ICT face UV tile; src/engine/stages/texture-ldm/uv-dataset.ts)",
    albedo: fromPhoto
      ? "the public-domain astronaut photo (../shared/faces) projected to UV through the tracker's ICT fit, varied by gains; procedural where the photo does not see the face"
      : `procedural (photo unavailable: ${"unavailable" in photo ? photo.unavailable : "?"})`,
    count,
    seed,
    size,
    note: "a toy two-domain set for the Fig. 13 protocol: one photo, varied; shading, highlights, hats and holes are synthetic",
  });
}

export function readDataset(dir: string): Dataset {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`--data ${dir}: not a folder`);
  const items: DatasetItem[] = [];
  const hashes: string[] = [];
  let size = 0;
  for (const domain of DOMAINS) {
    const sub = join(dir, domain);
    if (!existsSync(sub)) throw new UserError(`${dir}: missing the ${domain}/ folder (a dataset has desired/ and undesired/ folders of UV maps; see README "Texture LDM")`);
    const names = readdirSync(sub).filter((f) => f.endsWith(".png") && !f.endsWith(".mask.png")).sort();
    if (names.length < 2) throw new UserError(`${sub}: needs at least 2 UV maps (.png), found ${names.length}`);
    for (const f of names) {
      const base = join(sub, f.slice(0, -4));
      let png;
      try {
        png = readPng(`${base}.png`);
      } catch (error) {
        throw new UserError((error as Error).message);
      }
      if (png.width !== png.height || png.width % 8) throw new UserError(`${base}.png: UV maps must be square with a side divisible by 8, got ${png.width}×${png.height}`);
      if (size && png.width !== size) throw new UserError(`${base}.png is ${png.width}² but earlier maps are ${size}²: one size for the whole dataset`);
      size = png.width;
      if (!existsSync(`${base}.txt`)) throw new UserError(`${base}.png has no caption file ${base}.txt`);
      const caption = readFileSync(`${base}.txt`, "utf8").trim();
      if (!caption) throw new UserError(`${base}.txt: empty caption`);
      let mask: Float32Array = new Float32Array(size * size).fill(1);
      if (existsSync(`${base}.mask.png`)) {
        const m = readPng(`${base}.mask.png`);
        if (m.width !== size || m.height !== size) throw new UserError(`${base}.mask.png is ${m.width}×${m.height}, its map ${size}²`);
        mask = m.luminance;
      }
      hashes.push(sha256(readFileSync(`${base}.png`)), sha256(caption), sha256(new Uint8Array(mask.buffer)));
      items.push({ name: f.slice(0, -4), domain, image: png.data, mask, caption });
    }
  }
  return { dir, size, items, hash: sha256(hashes.join("")) };
}
