// `dreamface texture-ldm data|train`: the texture LDM of paper Sec. 5.1 (mask channel B and
// learned domain tokens, Eq. 9) — its two-domain dataset and its training
// (data-loaders/texture-ldm/). The Fig. 13 comparison is `dreamface ablate texture-ldm`.
import type { Command } from "commander";
import { UserError } from "../errors.js";
import { intOption } from "../options.js";

interface TrainFlags {
  variant: string;
  data: string;
  out?: string;
  steps?: string;
  seed?: string;
  batch?: string;
  profile: string;
}

export function register(program: Command): void {
  const ldm = program.command("texture-ldm").description("texture LDM (mask channel + prompt tuning, paper Sec. 5.1): dataset and training");
  ldm
    .command("data")
    .description("write the in-project two-domain UV dataset (the shared face photo projected to ICT's face UV tile, procedural elsewhere; desired/ and undesired/ folders)")
    .requiredOption("--out <dir>", "dataset folder")
    .option("--count <n>", "number of maps, half per domain", "256")
    .option("--seed <n>", "seed", "0")
    .option("--size <n>", "side of the UV maps (multiple of 8)", "64")
    .action(async (flags: { out: string; count: string; seed: string; size: string }) => {
      const { generateDataset } = await import("../../texture-ldm/dataset-files.js");
      await generateDataset(flags.out, { count: intOption("count", flags.count, 4)!, seed: intOption("seed", flags.seed)!, size: intOption("size", flags.size, 8)! });
      console.log(flags.out);
    });
  ldm
    .command("train")
    .description("fine-tune one texture-LDM variant through the ONNX autodiff (weights as graph inputs, Adam); rerun to resume")
    .requiredOption("--variant <name>", "wo-mp | wo-prompt | full")
    .requiredOption("--data <dir>", "dataset folder (desired/ and undesired/; see README)")
    .option("--out <dir>", "output folder (default: results/runs/<id>/texture-ldm-<variant>)")
    .option("--steps <n>", "training steps (tiny: 200)")
    .option("--batch <n>", "batch size (tiny: 8)")
    .option("--seed <n>", "seed", "0")
    .option("--profile <name>", "model profile", "tiny")
    .action(async (flags: TrainFlags) => {
      const { isLdmVariant } = await import("../../../src/engine/stages/texture-ldm/variants.js");
      if (!isLdmVariant(flags.variant)) throw new UserError(`--variant must be wo-mp, wo-prompt or full, got "${flags.variant}"`);
      const { runTrainCommand } = await import("../../texture-ldm/train.js");
      const r = await runTrainCommand({ variant: flags.variant, data: flags.data, out: flags.out, profile: flags.profile, steps: intOption("steps", flags.steps, 1), batch: intOption("batch", flags.batch, 1), seed: intOption("seed", flags.seed)! });
      console.log(r.dir);
    });
}
