// `dreamface edit DIFFUSE.png --prompt "…"`: img2img / masked inpainting of a diffuse map with
// the texture LDM (data-loaders/texture/edit.ts).
import type { Command } from "commander";
import { intOption, numberOption } from "../options.js";

interface EditFlags {
  prompt?: string;
  strength?: string;
  mask?: string;
  sketch?: string;
  out?: string;
  profile?: string;
  steps?: string;
  seed?: string;
}

export function register(program: Command): void {
  program
    .command("edit")
    .description("edit a diffuse map with the texture LDM: img2img under a new prompt, or masked inpainting (optionally from a sketch)")
    .argument("<diffuse>", "diffuse map PNG (square UV map, e.g. a texture run's diffuse.png)")
    .requiredOption("--prompt <text>", "what the edited texture should show")
    .requiredOption("--out <file>", "output PNG")
    .option("--strength <s>", "how far to noise the map before denoising, (0, 1]", "0.5")
    .option("--mask <file>", "PNG mask: white (or opaque) = regenerate, black = keep exactly")
    .option("--sketch <file>", "PNG sketch pasted into the masked area before denoising (needs --mask)")
    .option("--profile <name>", "model profile (tiny | sd15)", "tiny")
    .option("--steps <n>", "DDIM steps for strength 1", "50")
    .option("--seed <n>", "noise seed", "0")
    .action(async (diffuse: string, flags: EditFlags) => {
      const { runEdit } = await import("../../texture/edit.js");
      await runEdit({
        input: diffuse,
        prompt: flags.prompt ?? "",
        out: flags.out ?? "",
        strength: numberOption("strength", flags.strength, { nonNegative: true }),
        mask: flags.mask,
        sketch: flags.sketch,
        profile: flags.profile,
        steps: intOption("steps", flags.steps),
        seed: intOption("seed", flags.seed),
      });
    });
}
