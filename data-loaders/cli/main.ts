// The `dreamface` command line. Each file in ./commands/ exports `register(program)`, which
// declares one command (options, --help) and imports its implementation lazily inside the
// action, so `dreamface --help` stays fast and never loads onnxruntime or DuckDB.
import { Command, CommanderError } from "commander";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { formatCliError } from "./errors.js";

const here = dirname(fileURLToPath(import.meta.url));
const program = new Command("dreamface")
  .description("DreamFace Workbench: text prompt → animatable 3D face asset on ICT-FaceKit topology")
  .showHelpAfterError()
  .exitOverride();

/** Prints one line (the stack only with DREAMFACE_DEBUG=1) and exits: the only way a command fails. */
function fail(error: unknown): never {
  const { text, status } = formatCliError(error);
  console.error(text);
  process.exit(status);
}
// An error thrown from a callback outside the command's promise chain (a server, a child
// process) would otherwise print Node's stack and could leave the process hanging.
process.on("uncaughtException", fail);
process.on("unhandledRejection", fail);

const commandFiles = readdirSync(join(here, "commands"))
  .filter((f) => /\.ts$/.test(f) && !f.endsWith(".test.ts"))
  .sort();
for (const file of commandFiles) {
  const mod = (await import(pathToFileURL(join(here, "commands", file)).href)) as {
    register?: (program: Command) => void;
  };
  mod.register?.(program);
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander already printed help or the usage error.
    process.exit(error.exitCode === 0 ? 0 : 2);
  }
  fail(error);
}
