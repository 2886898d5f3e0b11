// The smallest experiment `dreamface generate` runs end to end (a few steps at 32², no hair),
// shared by the generate tests so each states only what it varies.
import { writeFileSync } from "node:fs";

export interface SmallExperiment {
  name: string;
  seed: number;
  profile: "tiny" | "sd15";
  /** Latent and image SDS steps each (default 1). */
  textureSteps?: number;
}

/** Writes the experiment JSON to `path` and returns `path`. */
export function writeSmallExperiment(path: string, { name, seed, profile, textureSteps = 1 }: SmallExperiment): string {
  writeFileSync(
    path,
    JSON.stringify({
      name,
      seed,
      profile,
      geometry: { carving: { steps: 2, renderSize: 32, normalMapSize: 16 }, hair: { enabled: false } },
      texture: { latent: { steps: textureSteps, renderSize: 32 }, image: { steps: textureSteps, renderSize: 32 }, pbr: { size: 32, glbTextureSize: 32 } },
    }),
  );
  return path;
}
