// `dreamface serve`: the live page's engine on this machine (data-loaders/live/serve.ts).
import type { Command } from "commander";

interface ServeFlags {
  port: string;
  host: string;
  site?: string;
  allowOrigin: string[];
  profile?: string;
}

export function register(program: Command): void {
  program
    .command("serve")
    .description("run the live page's carving loop on this machine (onnxruntime-node, any profile): loopback only, behind a random token printed at start")
    .option("--port <n>", "port (0: any free port)", "8765")
    .option("--host <addr>", "loopback address to listen on (127.0.0.1, ::1 or localhost)", "127.0.0.1")
    .option("--site <dir>", "built site to serve with the API (default: dist/)")
    .option("--allow-origin <origin>", "also accept API calls from this loopback page origin, e.g. npm run dev's http://127.0.0.1:3000 (repeatable)", (v: string, all: string[]) => [...all, v], [] as string[])
    .option("--profile <name>", "model profile every run uses (tiny | sd15); default: each experiment's")
    .action(async (flags: ServeFlags) => {
      const { intOption } = await import("../options.js");
      const { serve } = await import("../../live/serve.js");
      const live = await serve({ port: intOption("port", flags.port, 0), host: flags.host, site: flags.site, allowOrigins: flags.allowOrigin, profile: flags.profile });
      const stop = () => live.close().then(() => process.exit(0));
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
}
