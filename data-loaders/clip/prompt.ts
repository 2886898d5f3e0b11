// What a prompt must be before any model sees it: non-empty, free of control and bidi-override
// characters (invisible, they change what the tokenizer reads from what the user sees), and
// not absurdly long. CLIP reads 77 tokens; a little over is truncated with a warning
// (clip/merges.ts), but a prompt of thousands of characters is a pasted file, not a face.
import { UserError } from "../cli/errors.js";

/** Longest prompt accepted, in characters (77 tokens are roughly 300). */
export const MAX_PROMPT_CHARS = 1000;

// C0 and C1 controls except tab, newline and carriage return; DEL; the bidi marks, embeddings,
// overrides and isolates (U+200E/F, U+202A–E, U+2066–9).
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** The reason `text` cannot be a prompt, or undefined. `what` names it in the message (e.g. "--prompt"). */
export function promptProblem(text: string, what = "the prompt"): string | undefined {
  if (!text.trim()) return `${what} is empty: describe the face, e.g. "an old man with a wide nose"`;
  const bad = CONTROL.exec(text);
  if (bad) return `${what} contains the control character U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")} at position ${bad.index}: remove it`;
  if (text.length > MAX_PROMPT_CHARS) return `${what} is too long (${text.length} characters; CLIP reads 77 tokens, about 300 characters): at most ${MAX_PROMPT_CHARS}`;
  return undefined;
}

/** The trimmed prompt, or a UserError saying what is wrong with it. */
export function checkPrompt(text: string | undefined, what?: string): string {
  const problem = promptProblem(text ?? "", what);
  if (problem) throw new UserError(problem);
  return text!.trim();
}
