/**
 * An error caused by the user's input (a bad flag, a missing file, an unknown name).
 * The CLI prints only its message, never a stack, and exits with status 2.
 */
export class UserError extends Error {
  override name = "UserError";
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
