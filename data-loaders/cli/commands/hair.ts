// `dreamface hair RUN_DIR`: choose a hairstyle and colour for a geometry run by CLIP score (paper Sec. 4.3).
import type { Command } from "commander";
import { UserError } from "../errors.js";
import { requiredInt } from "../options.js";

interface Flags {
  profile?: string;
  prompt?: string;
  style?: string;
  colour?: string;
  seed: string;
  hairDir?: string;
  list?: boolean;
}

export function register(program: Command): void {
  program
    .command("hair")
    .description("pick a hairstyle, then a hair colour, for a geometry run by CLIP score of renders; writes hair.glb/.obj, hair-scores.json, hair-front.png")
    .argument("[run_dir]", "a geometry run folder (holds carved.obj)")
    .option("--profile <name>", "model profile for CLIP (tiny | sd15); default: the run's")
    .option("--prompt <text>", "default: the run's prompt")
    .option("--style <name>", "use this style (skips the style pass)")
    .option("--colour <name>", "use this colour (skips the colour pass)")
    .option("--seed <n>", "seed of the procedural styles' curls", "0")
    .option("--hair-dir <dir>", "artist hair library (a folder with hairstyles.json); default $DREAMFACE_HAIR_DIR or the user cache")
    .option("--list", "list the hairstyles and colours and exit")
    .action(async (runDir: string | undefined, flags: Flags) => {
      if (flags.list) {
        const { PROCEDURAL_STYLES } = await import("../../../src/engine/stages/geometry/hair/styles.js");
        const { HAIR_PALETTE } = await import("../../../src/engine/stages/geometry/hair/palette.js");
        const { loadHairLibrary } = await import("../../geometry/hair-library.js");
        const { loadFaceModel } = await import("../../face/load.js");
        console.log("procedural styles:");
        for (const s of PROCEDURAL_STYLES) console.log(`  ${s.name.padEnd(14)} ${s.description}`);
        const library = loadHairLibrary(flags.hairDir, (await loadFaceModel()).neutral);
        if (library.length) {
          console.log("artist styles:");
          for (const h of library) console.log(`  ${h.name.padEnd(14)} ${h.file} (${h.licence})`);
        }
        console.log("colours:");
        for (const c of HAIR_PALETTE) console.log(`  ${c.name.padEnd(18)} sRGB ${c.srgb.join(", ")}`);
        return;
      }
      if (!runDir) throw new UserError("give a geometry run folder: dreamface hair RUN_DIR (or --list)");
      const seed = requiredInt("seed", flags.seed);
      const { runHairSelection } = await import("../../geometry/hair-select.js");
      const r = await runHairSelection({ runDir, profile: flags.profile, prompt: flags.prompt, style: flags.style, colour: flags.colour, seed, hairDir: flags.hairDir, quiet: true });
      const label = r.label ? ` [${r.label}]` : "";
      const table = (rows: readonly { name: string; score: number }[]) => rows.map((x) => `  ${x.name.padEnd(18)} ${x.score.toFixed(4)}`).join("\n");
      if (r.scores.styles.length) console.log(`style scores${label}:\n${table(r.scores.styles)}`);
      if (r.scores.colours.length) console.log(`colour scores${label}:\n${table(r.scores.colours)}`);
      console.log(`hair: ${r.style}${r.colour ? `, ${r.colour}` : ""} → ${Object.keys(r.files).join(", ")} in ${runDir}${label}`);
    });
}
