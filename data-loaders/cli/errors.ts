/**
 * An error caused by the user's input (a bad flag, a missing file, an unknown name).
 * The CLI prints only its message, never a stack, and exits with status 2.
 */
export class UserError extends Error {
  override name = "UserError";
}
