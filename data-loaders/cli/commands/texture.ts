// `dreamface texture RUN_DIR`: the texture stage (data-loaders/texture/run.ts) continuing a
// geometry run: dual-path SDS in latent then image space, PBR maps, textured .glb.
import type { Command } from "commander";
import { intOption, oneOf } from "../options.js";
import { TEXTURE_VARIANTS } from "../../../src/engine/stages/texture/config.js";

interface TextureFlags {
  threads?: string;
  profile?: string;
  experiment?: string;
  out?: string;
  variant?: string;
  latentSteps?: string;
  imageSteps?: string;
  mapSize?: string;
}

/** The CLI flags that map onto the experiment's texture section. */
export function textureOverrides(flags: Pick<TextureFlags, "variant" | "latentSteps" | "imageSteps" | "mapSize">): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const variant = oneOf("variant", flags.variant, TEXTURE_VARIANTS);
  if (variant !== undefined) o.variant = variant;
  const ls = intOption("latent-steps", flags.latentSteps), is = intOption("image-steps", flags.imageSteps), ms = intOption("map-size", flags.mapSize, 16);
  if (ls !== undefined) o.latent = { steps: ls };
  if (is !== undefined) o.image = { steps: is };
  if (ms !== undefined) o.pbr = { size: ms };
  return o;
}

export function register(program: Command): void {
  program
    .command("texture")
    .description("texture stage: dual-path SDS (latent, then image space), PBR maps at 4096², textured .glb — continuing a geometry run")
    .argument("<run-dir>", "a geometry run folder (or a run folder holding geometry/)")
    .option("--profile <name>", "model profile (tiny | sd15); default: the geometry run's")
    .option("--experiment <file>", "experiment JSON whose texture section (λ's, schedules, steps) applies")
    .option("--out <dir>", "output folder (default: texture/ beside the geometry folder); rerun to resume")
    .option("--variant <name>", `${TEXTURE_VARIANTS.join(" | ")} (the ablations of paper Sec. 7.3.3)`)
    .option("--latent-steps <n>", "latent-space SDS steps (paper: 200)")
    .option("--image-steps <n>", "image-space SDS steps (paper: 200)")
    .option("--map-size <n>", "side of the written maps (paper: 4096)")
    .option("--threads <n>", "render threads (default: DREAMFACE_THREADS, else every core); results do not depend on it")
    .action(async (runDir: string, flags: TextureFlags) => {
      const overrides = textureOverrides(flags);
      const { runTextureStage } = await import("../../texture/run.js");
      await runTextureStage({ runDir, profile: flags.profile, experiment: flags.experiment, out: flags.out, overrides, threads: intOption("threads", flags.threads, 1) });
    });
}
