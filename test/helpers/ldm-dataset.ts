// A tiny texture-LDM dataset folder (the layout of README "Your own dataset"): two seeded-noise
// maps per domain with one caption, so training has a loss to fit. Test signal only.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodePng } from "../../data-loaders/io/png.js";

export function writeNoiseDataset(dir: string, size: number, seed = 7): string {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  for (const domain of ["desired", "undesired"]) {
    mkdirSync(join(dir, domain), { recursive: true });
    for (const name of ["a", "b"]) {
      writeFileSync(join(dir, domain, `${name}.png`), encodePng(Float32Array.from({ length: size * size * 3 }, rnd), size, size));
      writeFileSync(join(dir, domain, `${name}.txt`), "the face texture of a person\n");
    }
  }
  return dir;
}
