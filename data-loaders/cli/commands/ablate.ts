// `dreamface ablate RUN_DIR`: the texture ablations of paper Sec. 7.3.3 on one geometry run,
// with a comparison table (data-loaders/texture/ablate.ts).
import type { Command } from "commander";
import { textureOverrides } from "./texture.js";
import { TEXTURE_VARIANTS } from "../../../src/engine/stages/texture/config.js";

interface AblateFlags {
  variants?: string;
  out?: string;
  profile?: string;
  experiment?: string;
  latentSteps?: string;
  imageSteps?: string;
  mapSize?: string;
}

export function register(program: Command): void {
  program
    .command("ablate")
    .description("texture ablations (full, wo-texture, wo-lt) on one geometry run: images and a CLIP-score / time table")
    .argument("<run-dir>", "a geometry run folder (or a run folder holding geometry/)")
    .option("--variants <list>", `comma-separated subset of ${TEXTURE_VARIANTS.join(",")}`, TEXTURE_VARIANTS.join(","))
    .option("--out <dir>", "output folder (default: texture-ablation/ beside the geometry folder)")
    .option("--profile <name>", "model profile (tiny | sd15); default: the geometry run's")
    .option("--experiment <file>", "experiment JSON whose texture section applies to every variant")
    .option("--latent-steps <n>", "latent-space SDS steps per variant")
    .option("--image-steps <n>", "image-space SDS steps per variant")
    .option("--map-size <n>", "side of each variant's maps (default 512: the ablation compares latents)")
    .action(async (runDir: string, flags: AblateFlags) => {
      const overrides = textureOverrides({ latentSteps: flags.latentSteps, imageSteps: flags.imageSteps, mapSize: flags.mapSize });
      const { runAblation } = await import("../../texture/ablate.js");
      await runAblation({ runDir, variants: flags.variants?.split(","), out: flags.out, profile: flags.profile, experiment: flags.experiment, overrides });
    });
}
