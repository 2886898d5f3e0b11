// The `dreamface` program as a function: builds the commander program from ./commands/ and runs
// one command line, returning its exit status instead of exiting, so main.ts (the process) and
// tests (in-process, test/helpers/cli.ts) share it. Each file in ./commands/ exports
// `register(program)`, which declares one command (options, --help) and imports its
// implementation lazily inside the action, so `dreamface --help` never loads onnxruntime or DuckDB.
import { Command, CommanderError } from "commander";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { formatCliError } from "./errors.js";

const here = dirname(fileURLToPath(import.meta.url));

export async function buildProgram(): Promise<Command> {
  const program = new Command("dreamface")
    .description("DreamFace Workbench: text prompt → animatable 3D face asset on ICT-FaceKit topology")
    .showHelpAfterError()
    .exitOverride();
  const commandFiles = readdirSync(join(here, "commands"))
    .filter((f) => /\.ts$/.test(f) && !f.endsWith(".test.ts"))
    .sort();
  for (const file of commandFiles) {
    const mod = (await import(pathToFileURL(join(here, "commands", file)).href)) as { register?: (program: Command) => void };
    mod.register?.(program);
  }
  return program;
}

/** Prints an error as the CLI does (one line; the stack only with DREAMFACE_DEBUG=1) and returns the exit status. */
export function reportError(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2; // commander printed help or the usage error
  const { text, status } = formatCliError(error);
  console.error(text);
  return status;
}

/** Runs `argv` (process.argv form: node, script, args…); resolves with the exit status. */
export async function runProgram(argv: readonly string[]): Promise<number> {
  try {
    await (await buildProgram()).parseAsync([...argv]);
    return 0;
  } catch (error) {
    return reportError(error);
  }
}
