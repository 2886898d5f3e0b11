// `dreamface generate "<prompt>"`: the whole pipeline into one run folder, stage by stage
// (<run>/geometry, <run>/texture) with a top-level manifest. Says which stages ran.
import type { Command } from "commander";
import { intOption } from "../options.js";

interface GenerateFlags {
  threads?: string;
  profile?: string;
  out?: string;
  experiment?: string;
  pool?: string;
  steps?: string;
  seed?: string;
  template: string;
}

export function register(program: Command): void {
  program
    .command("generate")
    .description("text prompt → face asset: geometry stage (pool ranking + detail carving), then the texture stage, then the CLIP score of the final renders (metrics.json)")
    .argument("<prompt>", "text prompt describing the face")
    .option("--profile <name>", "model profile (tiny | sd15); default: the experiment's, else tiny")
    .option("--out <dir>", "run folder (default: results/runs/<timestamp>); stages write <dir>/geometry, <dir>/texture")
    .option("--experiment <file>", "experiment JSON (every stage's settings)")
    .option("--pool <dir>", "candidate pool for the geometry stage (default: built once into the user cache: 64 candidates on tiny, 10k on sd15)")
    .option("--steps <n>", "detail-carving steps (overrides the experiment)")
    .option("--seed <n>", "seed (overrides the experiment)")
    .option("--threads <n>", "render threads (default: DREAMFACE_THREADS, else every core); results do not depend on it")
    .option("--template <text>", 'text the final renders are CLIP-scored against, with {prompt}; the paper\'s: "the realistic face of {prompt}"', "{prompt}")
    .action(async (prompt: string, flags: GenerateFlags) => {
      const { checkPrompt } = await import("../../clip/prompt.js");
      checkPrompt(prompt);
      const { runGenerate } = await import("../../generate/run.js");
      const r = await runGenerate({ prompt, profile: flags.profile, experiment: flags.experiment, pool: flags.pool, steps: intOption("steps", flags.steps), seed: intOption("seed", flags.seed), threads: intOption("threads", flags.threads, 1), out: flags.out, template: flags.template });
      // Animation needs a performance to follow (a video or images): `dreamface animate <asset>`.
      const how: Record<string, string> = { animation: `dreamface animate ${r.dir}/${r.asset} --video …` };
      const notRun = r.notRun.map((s) => (how[s] ? `${s} (${how[s]})` : s)).join(", ");
      console.log(`generate: ran ${r.ran.join(" → ")}${notRun ? `; not run: ${notRun}` : ""} → ${r.dir}${r.label ? ` [${r.label}]` : ""}`);
    });
}
