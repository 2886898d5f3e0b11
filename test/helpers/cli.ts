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

/**
 * As {@link runCli} but inside this process (no tsx start-up per call: for tests that run many
 * command lines, e.g. the fuzz test). `env` is set for the call's duration (undefined unsets)
 * and stdout/stderr are captured. Calls must not overlap.
 */
export async function runCliInProcess(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const { runProgram } = await import("../../data-loaders/cli/program.js");
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const set = (vars: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(vars)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  let stdout = "";
  let stderr = "";
  const out = process.stdout.write, err = process.stderr.write;
  const capture = (append: (s: string) => void) => ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    append(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    cb?.();
    return true;
  }) as typeof process.stdout.write;
  set(env);
  process.stdout.write = capture((s) => (stdout += s));
  process.stderr.write = capture((s) => (stderr += s));
  try {
    const status = await runProgram(["node", cliPath, ...args]);
    return { status, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    set(saved);
  }
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
