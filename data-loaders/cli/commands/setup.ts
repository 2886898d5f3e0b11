// `dreamface setup`: fetch and verify the ICT-FaceKit face model into the user cache.
import type { Command } from "commander";

export function register(program: Command): void {
  program
    .command("setup")
    .description("download ICT-FaceKit's FaceXModel (pinned commit) into the user cache and verify its sha256 sums")
    .option("--from <dir>", "verify and copy a local FaceXModel folder (.obj or .obj.gz) instead of downloading")
    .option("--link", "with --from: symlink the verified files instead of copying them")
    .option("--force", "replace an existing verified copy")
    .action(async (opts: { from?: string; link?: boolean; force?: boolean }) => {
      const { runSetup } = await import("../../face/setup.js");
      const r = await runSetup({ ...opts, log: (line) => console.error(`dreamface: ${line}`) });
      console.log(r.alreadyDone ? `ICT-FaceKit already set up in ${r.dir} (use --force to redo)` : `ICT-FaceKit: ${r.files} files verified into ${r.dir} (from ${r.source})`);
    });
}
