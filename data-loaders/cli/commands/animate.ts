// `dreamface animate ASSET.glb --video FILE | --images DIR --out OUT.glb`: drive an ICT-topology
// asset from footage (MediaPipe Face Mesh in headless Chromium → ICT expression weights).
import type { Command } from "commander";
import { UserError } from "../errors.js";
import { numberOption, oneOf } from "../options.js";
import { ANIMATION_PATHS, INTERPOLATIONS, type AnimationConfig } from "../../../src/engine/stages/animation/config.js";

interface AnimateFlags {
  video?: string;
  images?: string;
  out?: string;
  fps?: string;
  maxFrames?: string;
  dims?: string;
  interpolation?: string;
  runDir?: string;
  ictDir?: string;
  path?: string;
  profile?: string;
  experiment?: string;
}

export function register(program: Command): void {
  program
    .command("animate")
    .description("animate an ICT-topology .glb from a video or a folder of images (expression weights as a glTF morph-weight animation)")
    .argument("<asset>", "input asset .glb with the 53 ICT expression morph targets (e.g. from `dreamface geometry --out face.glb`)")
    .option("--video <file>", "video file (Chromium codecs: WebM VP8/VP9/AV1, MP4 H.264)")
    .option("--images <dir>", "folder of images (png/jpg/webp), tracked independently in name order")
    .option("--out <file>", "output .glb (the input asset plus one animation)")
    .option("--fps <n>", "frames sampled per second of video; for images, frames per second of the clip (default 15 / 1)")
    // No commander defaults below: the stage config (src/engine/stages/animation/config.ts)
    // holds them, so an --experiment file can set them and flags still win.
    .option("--max-frames <n>", "stop after this many video frames (default 900)")
    .option("--dims <n>", "fit 2-D (x, y) or 3-D (x, y, z) landmarks (default 2)")
    .option("--interpolation <mode>", `${INTERPOLATIONS.join(" | ")} (default linear)`)
    .option("--path <name>", `${ANIMATION_PATHS.join(" | ")}: fitted ICT weights (default), or G_geo(T†, E_exp(frame)) per frame (paper Sec. 6)`)
    .option("--profile <name>", "model profile for --path personalized (default tiny = random weights: a test signal, not an expression)")
    .option("--experiment <file>", "experiment JSON whose `animation` section sets the defaults (flags win)")
    .option("--run-dir <dir>", "where the manifest and per-frame weights go (default results/runs/<id>/animation)")
    .option("--ict-dir <dir>", "ICT-FaceKit FaceXModel folder")
    .action(async (asset: string, flags: AnimateFlags) => {
      if (!flags.out) throw new UserError("--out OUT.glb is required");
      const dims = numberOption("dims", flags.dims);
      if (dims !== undefined && dims !== 2 && dims !== 3) throw new UserError(`--dims ${flags.dims}: must be 2 or 3`);
      const interpolation = oneOf("interpolation", flags.interpolation, INTERPOLATIONS);
      const path = oneOf("path", flags.path, ANIMATION_PATHS);
      const { animate } = await import("../../animation/animate.js");
      const { loadExperiment } = await import("../../run/experiment.js");
      const config = flags.experiment ? (loadExperiment(flags.experiment).animation as Partial<AnimationConfig> | undefined) : undefined;
      const r = await animate({
        asset, video: flags.video, images: flags.images, out: flags.out, fps: numberOption("fps", flags.fps), maxFrames: numberOption("max-frames", flags.maxFrames),
        dims, interpolation, runDir: flags.runDir, ictDir: flags.ictDir, path, profile: flags.profile, config,
      });
      console.log(`wrote ${r.out} (${r.label}): ${r.frames} frames (${r.framesWithFace} with a face), mean landmark rmse ${r.meanRmsePx.toFixed(2)} px; run folder ${r.runDir}`);
    });
}
