// The `dreamface` process: runs the program (program.ts) on process.argv and exits with its
// status on failure (on success the process ends by itself, so piped output is flushed).
import { reportError, runProgram } from "./program.js";

// An error thrown from a callback outside the command's promise chain (a server, a child
// process) would otherwise print Node's stack and could leave the process hanging.
const fail = (error: unknown) => process.exit(reportError(error) || 1);
process.on("uncaughtException", fail);
process.on("unhandledRejection", fail);

const status = await runProgram(process.argv);
if (status !== 0) process.exit(status);
