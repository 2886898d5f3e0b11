// `dreamface eval RUN_DIR` (CLIP score of a run's renders) and `dreamface eval kid DIR_A DIR_B`.
import type { Command } from "commander";

export function register(program: Command): void {
  const evalCmd = program
    .command("eval")
    .description("evaluate a run: CLIP score of its final renders against its prompt (paper Sec. 7.3.6) → metrics.json")
    .argument("<run_dir>", "a stage folder (results/runs/<id>/geometry) or a run folder holding stage folders")
    .option("--profile <name>", "model profile for CLIP (default: the run's)")
    .option("--template <text>", 'text scored against, with {prompt}, e.g. "the realistic face of {prompt}"', "{prompt}")
    .option("--prompt <text>", "use this prompt instead of the run's (animation runs have none)")
    .option("--images <dir>", "score the PNGs in this folder instead of the run's renders")
    .option("--json", "print the metrics as JSON")
    .action(async (runDir: string, flags: { profile?: string; template: string; prompt?: string; images?: string; json?: boolean }) => {
      const { evalCommand } = await import("../../evaluation/cli.js");
      await evalCommand(runDir, flags);
    });

  evalCmd
    .command("kid")
    .description("Kernel Inception Distance between two folders of PNGs (paper Sec. 7.3.1), through the kid_features model")
    .argument("<dir_a>", "first folder of PNGs")
    .argument("<dir_b>", "second folder of PNGs")
    .option("--subsets <n>", "number of random subsets", "50")
    .option("--subset-size <n>", "images per subset (default: the smaller folder's size)")
    .option("--seed <n>", "seed for the subsets", "0")
    .option("--profile <name>", "model profile (default tiny: a random feature net, test signal only)")
    .option("--out <file>", "write the result here (default results/evaluation/kid/<a>-vs-<b>-<hash>.json)")
    .option("--no-save", "print only, write no file")
    .option("--json", "print the result as JSON")
    .action(async (dirA: string, dirB: string, flags: Record<string, string | boolean | undefined>, cmd: Command) => {
      // Commander hands --profile and --json to `eval` when both commands declare them.
      const parent = cmd.parent?.opts() as { profile?: string; json?: boolean } | undefined;
      const { kidCommand } = await import("../../evaluation/cli.js");
      await kidCommand(dirA, dirB, { ...flags, profile: (flags.profile as string | undefined) ?? parent?.profile, json: Boolean(flags.json ?? parent?.json) });
    });
}
