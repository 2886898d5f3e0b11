// `dreamface ablate RUN_DIR`: the texture ablations of paper Sec. 7.3.3 on one geometry run,
// with a comparison table (data-loaders/texture/ablate.ts).
import type { Command } from "commander";
import { textureOverrides } from "./texture.js";
import { intOption } from "../options.js";
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

interface LdmFlags {
  profile: string;
  samples: string;
  subsets: string;
  seed: string;
  data?: string;
  out?: string;
  variantsDir?: string;
  steps?: string;
  ddimSteps?: string;
  count?: string;
}

export function register(program: Command): void {
  // Positional options: `ablate texture-ldm --out …` is the subcommand's --out, not the parent's.
  const ablate = program
    .command("ablate")
    .enablePositionalOptions()
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
  // `dreamface ablate texture-ldm`: the prompt-tuning KID of paper Fig. 13 (data-loaders/texture-ldm/ablate.ts).
  ablate
    .command("texture-ldm")
    .description("Fig. 13: train wo-mp / wo-prompt / full texture LDMs, sample without CFG, KID vs the full dataset and the desired domain")
    .option("--profile <name>", "model profile", "tiny")
    .option("--samples <n>", "samples per variant", "1000")
    .option("--subsets <n>", "KID subsets", "50")
    .option("--seed <n>", "seed (data, training, sampling, subsets)", "0")
    .option("--data <dir>", "dataset folder (default: generated into <out>/data)")
    .option("--out <dir>", "output folder (default: results/ablations/texture-ldm/<id>); rerun to resume")
    .option("--variants-dir <dir>", "take trained variants from <dir>/<variant>/ (texture-ldm train outputs) instead of training")
    .option("--steps <n>", "training steps per variant (tiny: 200)")
    .option("--ddim-steps <n>", "DDIM steps per sample (tiny: 10, else 50)")
    .option("--count <n>", "maps in a generated dataset (tiny: 256)")
    .action(async (flags: LdmFlags) => {
      const { ldmDefaults } = await import("../../texture-ldm/defaults.js");
      const d = ldmDefaults(flags.profile);
      const { ablateTextureLdm } = await import("../../texture-ldm/ablate.js");
      const r = await ablateTextureLdm({
        profile: flags.profile,
        samples: intOption("samples", flags.samples, 2)!,
        subsets: intOption("subsets", flags.subsets, 1)!,
        seed: intOption("seed", flags.seed)!,
        data: flags.data,
        out: flags.out,
        variantsDir: flags.variantsDir,
        steps: intOption("steps", flags.steps, 1) ?? d.steps,
        ddimSteps: intOption("ddim-steps", flags.ddimSteps, 1) ?? d.ddimSteps,
        count: intOption("count", flags.count, 4) ?? d.count,
        batch: d.batch,
        lr: d.lr,
        tokenLr: d.tokenLr,
      });
      console.log(`${r.dir}/kid.json`);
    });
}
