// Finds and reads CLIP's BPE merges in Node. Sources, first hit wins: an explicit path
// (a .txt.gz, a merges.txt, or a model folder holding tokenizer/merges.txt), the user cache,
// then ../shared/clip (tests and CI). The file is never committed to the project.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { ClipTokenizer, type TokenizeOptions } from "../../src/engine/clip/tokenizer.js";
import { UserError } from "../cli/errors.js";
import { sharedDir, userCacheDir } from "../io/paths.js";

const GZ_NAME = "bpe_simple_vocab_16e6.txt.gz";

/** Candidate files for an explicit path: the file itself, or what a model folder holds. */
function candidatesFor(path: string): string[] {
  if (existsSync(path) && statSync(path).isDirectory())
    return [join(path, "tokenizer", "merges.txt"), join(path, "merges.txt"), join(path, GZ_NAME)];
  return [path];
}

/** The default search order when no path is given. */
export function defaultMergesCandidates(): string[] {
  const list = [join(userCacheDir(), "clip", GZ_NAME), join(userCacheDir(), "clip", "merges.txt")];
  const shared = sharedDir();
  if (shared) list.push(join(shared, "clip", GZ_NAME));
  return list;
}

/** Reads the merges text (gunzipping when the file is gzip). Throws UserError naming what was tried. */
export function loadMergesText(path?: string): string {
  const tried = path ? candidatesFor(path) : defaultMergesCandidates();
  const found = tried.find((p) => existsSync(p) && statSync(p).isFile());
  if (!found)
    throw new UserError(
      `CLIP merges not found (tried ${tried.join(", ")}). Pass --merges PATH to a ${GZ_NAME} from openai/CLIP ` +
        `or to a Hugging Face tokenizer/merges.txt, or install a model profile that ships one (dreamface models pull sd15).`,
    );
  let bytes: Uint8Array = readFileSync(found);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new UserError(`CLIP merges ${found} is not a valid gzip file (${(error as Error).message})`);
    }
  }
  return new TextDecoder("utf-8").decode(bytes);
}

const tokenizers = new Map<string, ClipTokenizer>();

/** A tokenizer built from the merges at `path` (or the default location), cached per path. */
export function loadTokenizer(path?: string): ClipTokenizer {
  const key = path ?? "";
  let tokenizer = tokenizers.get(key);
  if (!tokenizer) {
    const text = loadMergesText(path);
    try {
      tokenizer = new ClipTokenizer(text);
    } catch (error) {
      throw new UserError(`${(error as Error).message} (from ${path ?? "the default merges"})`);
    }
    tokenizers.set(key, tokenizer);
  }
  return tokenizer;
}

/** A truncated prompt changes what the models see, so by default the user hears about it. */
const warnTruncated: NonNullable<TokenizeOptions["onTruncate"]> = ({ text, tokenCount, contextLength }) =>
  console.warn(`dreamface: warning: prompt ${JSON.stringify(text.length > 60 ? text.slice(0, 57) + "..." : text)} has ${tokenCount} tokens; truncated to ${contextLength} (end token kept)`);

/**
 * `tokenize(text)` with the default merges: Int32Array(77), start/end tokens, padded with
 * 49407 (what SD 1.5's text encoder and the HF CLIP exports expect). Warns on stderr when
 * the prompt is truncated unless `onTruncate` is given.
 */
export function tokenize(text: string, options?: TokenizeOptions & { merges?: string }): Int32Array {
  return loadTokenizer(options?.merges).tokenize(text, { onTruncate: warnTruncated, ...options });
}
