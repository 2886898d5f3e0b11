// Runs fuzz cases in one child process (the CLI in-process, so tsx and the command modules
// load once): receives {args, env} over IPC, answers with the CLI's result. The test kills
// and restarts it when a case runs too long (a bad input that did not fail fast).
import { runCliInProcess } from "../helpers/cli.js";

process.on("message", async (msg: { args: string[]; env: Record<string, string> }) => {
  const r = await runCliInProcess(msg.args, msg.env);
  process.send!(r);
});
process.send!({ ready: true });
