// `dreamface geometry`: with a prompt, the geometry stage (data-loaders/geometry/run.ts); without
// one, an ICT face from explicit identity/expression coefficients (data-loaders/face/geometry-cli.ts).
import type { Command } from "commander";
import { UserError } from "../errors.js";
import { intOption } from "../options.js";
import type { IctGeometryOptions } from "../../face/geometry-cli.js";

/** The coefficient mode's options plus the prompt mode's (`seed` and `out` serve both). */
interface GeometryFlags extends IctGeometryOptions {
  profile?: string;
  threads?: string;
  listExpressions?: boolean;
  pool?: string;
  experiment?: string;
  steps?: string;
}

export function register(program: Command): void {
  program
    .command("geometry")
    .description("write a face mesh: from a text prompt (geometry stage), or from ICT identity/expression coefficients")
    .argument("[prompt]", "text prompt; when given, runs the geometry stage instead of the coefficient mode")
    .option("--identity <pairs>", 'identity coefficients as index=value pairs (indices 0–99), e.g. "0=1.0,5=-0.5"')
    .option("--expression <pairs>", 'expression weights as ARKit name=value pairs, e.g. "jawOpen=0.7"')
    .option("--seed <n>", "sample the identity β ~ N(0, I) from this seed (explicit --identity entries override)")
    .option("--region <name>", "dreamface (14062 vertices, the paper's mesh) or full (26719, with eyes, teeth, lashes)", "dreamface")
    .option("--out <path>", "output: FILE.obj (+ FILE.mtl) or FILE.glb in coefficient mode; a directory in prompt mode")
    .option("--ict-dir <dir>", "ICT-FaceKit FaceXModel folder (default: DREAMFACE_ICT_DIR, the setup cache, ../shared)")
    .option("--profile <name>", "prompt mode: model profile (tiny | sd15)")
    .option("--pool <dir>", "prompt mode: face pool folder (default: a small pool built once into the user cache)")
    .option("--experiment <file>", "prompt mode: experiment JSON (λ's, schedules, steps)")
    .option("--steps <n>", "prompt mode: detail-carving steps")
    .option("--threads <n>", "prompt mode: render threads (default: DREAMFACE_THREADS, else every core); results do not depend on it")
    .option("--list-expressions", "print the 53 expression names in model order and exit")
    .action(async (prompt: string | undefined, flags: GeometryFlags) => {
      if (prompt === undefined && (flags.profile || flags.pool || flags.experiment || flags.steps || flags.threads)) {
        throw new UserError("--profile, --pool, --experiment, --steps and --threads need a prompt (dreamface geometry \"<prompt>\" …)");
      }
      if (flags.listExpressions) {
        const { loadFaceModel } = await import("../../face/load.js");
        const model = await loadFaceModel({ dir: flags.ictDir });
        console.log(model.expressionNames.join("\n"));
        return;
      }
      if (prompt !== undefined) {
        if (flags.identity || flags.expression || flags.ictDir || flags.region !== "dreamface") {
          throw new UserError("--identity, --expression, --region and --ict-dir are for the coefficient mode; drop the prompt to use them");
        }
        const { runGeometryStage } = await import("../../geometry/run.js");
        const { profile, pool, experiment, steps, seed, out } = flags;
        await runGeometryStage({ prompt, profile, pool, experiment, steps: intOption("steps", steps), seed: intOption("seed", seed), threads: intOption("threads", flags.threads, 1), out });
        return;
      }
      if (!flags.identity && !flags.expression && flags.seed === undefined) {
        console.error("dreamface: note: no --identity, --expression or --seed: writing the neutral ICT face");
      }
      const { runIctGeometry } = await import("../../face/geometry-cli.js");
      const r = await runIctGeometry(flags);
      console.log(`wrote ${r.path} (${r.vertices} vertices, ${r.triangles} triangles)`);
    });
}
