// `dreamface edit`: texture editing on a diffuse map file (paper Sec. 7.2). The texture LDM
// works at 512² (64² latents); larger maps are edited at 512² and the result is resampled back
// and blended into the original at full size, so pixels outside the mask keep their exact value.
// A texture run's maps are atlases (face tile | head-and-neck tile, face/atlas.ts): the texture
// LDM knows face UV maps only, so the face tile is edited and the other tiles are kept as they are.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { UserError } from "../cli/errors.js";
import { checkPrompt } from "../clip/prompt.js";
import { writeFileAtomic } from "../io/atomic.js";
import { profileLabel, progress } from "../run/index.js";
import { createNodeBackend } from "../models/backend-node.js";
import { tokenize } from "../clip/merges.js";
import type { Backend } from "../../src/engine/models/backend.js";
import { blendMasked, editTexture } from "../../src/engine/stages/texture/edit.js";
import { createTextureModels } from "../../src/engine/stages/texture/guidance.js";
import { resample } from "../../src/engine/stages/texture/resample.js";
import { joinTiles, splitTiles } from "../../src/engine/face/atlas.js";
import { encodePng8, readPng, type DecodedImage } from "../io/png.js";

export interface EditCommandOptions {
  input: string;
  prompt: string;
  out: string;
  strength?: number;
  mask?: string;
  sketch?: string;
  profile?: string;
  steps?: number;
  guidance?: number;
  seed?: number;
  /** A handcrafted suffix for the texture prompt (ablation); by default Q(prompt, C_d) alone (Eq. 9). */
  keyword?: string;
  backend?: Backend;
  quiet?: boolean;
}

const EDIT_SIZE = 512;
/** Smallest map accepted: below it there is no texture to edit (a 1×1 "map" is a mistake). */
const MIN_SIDE = 16;

function load(path: string, what: string): DecodedImage {
  const file = resolve(path);
  if (!existsSync(file)) throw new UserError(`${what} not found: ${file}`);
  try {
    return readPng(file);
  } catch (error) {
    throw new UserError(`${what}: ${(error as Error).message}`);
  }
}

function square(img: DecodedImage, what: string): number {
  if (img.width !== img.height) throw new UserError(`${what} must be square (a UV map), is ${img.width}×${img.height}`);
  if (img.width < MIN_SIDE) throw new UserError(`${what} is too small (${img.width}×${img.height}): a UV map needs at least ${MIN_SIDE}×${MIN_SIDE}`);
  return img.width;
}

/** A square map, or the face tile (tile 0) of an atlas of square tiles side by side; `rejoin` puts an edited face tile back. */
function faceTile(img: DecodedImage, what: string): { image: DecodedImage; rejoin(face: Float32Array): Float32Array; width: number } {
  const n = img.width / img.height;
  if (!Number.isInteger(n) || n < 1) throw new UserError(`${what} must be square (a UV map) or square tiles side by side (an atlas), is ${img.width}×${img.height}`);
  if (n === 1) return { image: img, rejoin: (face) => face, width: img.width };
  const h = img.height;
  const tiles = splitTiles(img.data, n, h, h, 3);
  const pick = (a: Float32Array, c: number) => splitTiles(a, n, h, h, c)[0]!;
  return {
    image: { ...img, width: h, data: tiles[0]!, alpha: pick(img.alpha, 1), luminance: pick(img.luminance, 1) },
    rejoin: (face) => joinTiles([face, ...tiles.slice(1)], h, h, 3),
    width: img.width,
  };
}

const fit = (data: Float32Array, from: number, to: number, c: number) => (from === to ? data : resample(data, from, from, c, to, to, from > to ? "lanczos3" : "bicubic").map((v) => Math.min(1, Math.max(0, v))));

export async function runEdit(opts: EditCommandOptions): Promise<{ out: string; label?: string }> {
  const prompt = checkPrompt(opts.prompt, "--prompt");
  const strength = opts.strength ?? 0.5;
  if (!(strength > 0 && strength <= 1)) throw new UserError(`--strength must be in (0, 1], got ${opts.strength}`);
  if (!opts.out || !opts.out.toLowerCase().endsWith(".png")) throw new UserError(`--out must name a .png file, got "${opts.out ?? ""}"`);
  const atlas = faceTile(load(opts.input, "diffuse map"), "the diffuse map");
  const image = atlas.image;
  const size = square(image, "the diffuse map");
  const maskImg = opts.mask ? faceTile(load(opts.mask, "mask"), "the mask").image : undefined;
  const sketchImg = opts.sketch ? faceTile(load(opts.sketch, "sketch"), "the sketch").image : undefined;
  if (sketchImg && !maskImg) throw new UserError("--sketch needs --mask (the sketch is pasted into the masked area)");
  // White = regenerate; a mask with transparency uses its alpha instead.
  const maskFull = maskImg ? fit(maskImg.alpha.some((a) => a < 1) ? maskImg.alpha : maskImg.luminance, square(maskImg, "the mask"), size, 1) : undefined;
  const profile = opts.profile ?? "tiny";
  const backend = opts.backend ?? (await createNodeBackend({ profile }));
  try {
    const models = await createTextureModels(backend, { prompt: tokenize(prompt), empty: tokenize(""), texturePrompt: tokenize(opts.keyword ? `${prompt}, ${opts.keyword}` : prompt) }, { latentSize: EDIT_SIZE / 8 });
    const steps = opts.steps ?? 50;
    const bar = progress("edit", Math.max(1, Math.floor(steps * strength)), { quiet: opts.quiet });
    const edited = await editTexture(models, {
      image: fit(image.data, size, EDIT_SIZE, 3),
      strength,
      steps,
      guidance: opts.guidance ?? 7.5,
      mask: maskFull ? fit(maskFull, size, EDIT_SIZE, 1) : null,
      sketch: sketchImg ? fit(sketchImg.data, square(sketchImg, "the sketch"), EDIT_SIZE, 3) : null,
      seed: opts.seed ?? 0,
      onStep: () => bar.tick(),
    });
    bar.stop();
    const back = fit(edited, EDIT_SIZE, size, 3);
    const result = maskFull ? blendMasked(image.data, back, maskFull, 3) : back;
    const out = resolve(opts.out);
    const label = profileLabel(profile);
    writeFileAtomic(out, encodePng8(atlas.rejoin(result), atlas.width, size, 3, label));
    if (!opts.quiet) console.log(`edited diffuse map: ${out}${label ? ` [${label}]` : ""}`);
    return { out, label };
  } finally {
    if (!opts.backend) await backend.dispose();
  }
}
