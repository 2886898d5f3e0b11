/**
 * An error caused by the user's input (a bad flag, a missing file, an unknown name).
 * The CLI prints only its message, never a stack, and exits with status 2.
 */
export class UserError extends Error {
  override name = "UserError";
}

/** Node's system errors (ENOENT, EACCES, ENOTDIR, ENOSPC …) name a path of the user's environment. */
function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === "string" && typeof (error as NodeJS.ErrnoException).code === "string";
}

/**
 * What the CLI prints for an error that ends a command, and its exit status. A user error or
 * a system error is one line and status 2; anything else is an internal error: one line and
 * status 1. The stack trace follows only when DREAMFACE_DEBUG=1 (users never need it to act).
 */
export function formatCliError(error: unknown, env: NodeJS.ProcessEnv = process.env): { text: string; status: number } {
  const debug = env.DREAMFACE_DEBUG === "1";
  const message = (error instanceof Error ? error.message : String(error)).split("\n")[0]!.trim() || "(no message)";
  const stack = debug && error instanceof Error && error.stack ? `\n${error.stack}` : "";
  if (error instanceof UserError) return { text: `dreamface: ${message}${stack}`, status: 2 };
  if (isSystemError(error)) return { text: `dreamface: ${message}${stack}`, status: 2 };
  const hint = debug ? "" : " (set DREAMFACE_DEBUG=1 for the stack trace)";
  return { text: `dreamface: internal error: ${message}${hint}${stack}`, status: 1 };
}

/** A model file the command needs is missing or cannot be loaded: the user's setup to fix. */
export class ModelMissingError extends UserError {
  override name = "ModelMissingError";
  constructor(
    /** The role (e.g. "texture_unet") whose file is missing or unloadable. */
    readonly role: string,
    message: string,
  ) {
    super(message);
  }
}
