// Runs the real `dreamface` CLI in a child process, as a user would, for the CLI tests.
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { projectRoot } from "../../data-loaders/io/paths.js";

export const cliPath = join(projectRoot, "bin", "dreamface.js");

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `dreamface ...args`, blocking; `env` is merged over process.env. */
export function runCli(args: readonly string[], env: Record<string, string | undefined> = {}): CliResult {
  const r = spawnSync(process.execPath, [cliPath, ...args], { encoding: "utf8", env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** As {@link runCli} without blocking: for tests whose fixtures (e.g. a loopback server) live in this process's event loop. */
export function runCliAsync(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/**
 * Starts `dreamface ...args` and kill -9s it as soon as `ready()` holds (polled every `pollMs`),
 * resolving once it has exited; rejects when the command finishes before it could be killed.
 */
export async function killCliWhen(args: readonly string[], ready: () => boolean, what = "the command", pollMs = 5): Promise<void> {
  const child = spawn(process.execPath, [cliPath, ...args], { stdio: "ignore" });
  const exited = new Promise((r) => child.once("exit", r));
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (ready()) {
        clearInterval(timer);
        child.kill("SIGKILL");
        resolve();
      }
    }, pollMs);
    child.on("exit", () => {
      clearInterval(timer);
      reject(new Error(`${what} finished before it could be killed`));
    });
  });
  await exited;
}
