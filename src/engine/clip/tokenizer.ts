/**
 * CLIP's byte-pair-encoding tokenizer, token for token equal to OpenAI's
 * `clip/simple_tokenizer.py` (also used by Stable Diffusion 1.x's text encoder).
 *
 * The engine does no I/O: it takes the merges text (the decompressed
 * `bpe_simple_vocab_16e6.txt.gz`, or a Hugging Face `merges.txt`; both have one header line
 * and the same merges). `data-loaders/clip/merges.ts` finds and reads that file in Node.
 *
 * Cleaning differs from the original in one documented way: OpenAI runs `ftfy.fix_text`,
 * which repairs mojibake and otherwise only applies NFC; we apply NFC and nothing else, so
 * ordinary prompts (any script, accents, emoji) tokenize identically.
 */
import { htmlUnescape } from "./htmlUnescape.js";

export const START_TOKEN = 49406;
export const END_TOKEN = 49407;
export const CONTEXT_LENGTH = 77;
export const VOCAB_SIZE = 49408;
/** `lines[1 : 49152 - 256 - 2 + 1]` of the merges file, as simple_tokenizer.py slices it. */
export const MERGE_COUNT = 49152 - 256 - 2;

export interface TokenizeOptions {
  /**
   * Id used after the end token. 0 is what OpenAI's `clip.tokenize` writes (CLIP scoring
   * with the openai models); 49407 (`<|endoftext|>`) is what the Hugging Face tokenizers of
   * SD 1.5 and openai/clip-vit-large-patch14 write, so text encoders exported from
   * transformers (SD 1.5's `text_encoder`, Xenova's CLIP `text_model`) expect it.
   * Pooling takes the first end token either way. Default 49407 (SD 1.5).
   */
  padId?: number;
  /** Default 77. */
  contextLength?: number;
  /** Called when the prompt does not fit; the ids are cut and the last one set to the end token. */
  onTruncate?: (info: { text: string; tokenCount: number; contextLength: number }) => void;
}

/** simple_tokenizer's `bytes_to_unicode`: printable bytes map to themselves, the rest to U+0100.. */
export function bytesToUnicode(): string[] {
  const table = new Array<string>(256);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    table[b] = String.fromCharCode(printable ? b : 256 + n++);
  }
  return table;
}

/** The base alphabet in simple_tokenizer's order: the 188 printable bytes, then the others. */
function alphabet(table: readonly string[]): string[] {
  const printable: string[] = [];
  const other: string[] = [];
  table.forEach((ch, b) => (ch.charCodeAt(0) === b ? printable : other).push(ch));
  return [...printable, ...other];
}

// `regex`'s \s is Unicode White_Space; Python's str.strip also drops U+001C..U+001F.
const WHITESPACE_RUN = /\p{White_Space}+/gu;
const EDGE_SPACE = /^[\p{White_Space}\x1c-\x1f]+|[\p{White_Space}\x1c-\x1f]+$/gu;
// simple_tokenizer's pre-split pattern, with \s written as White_Space like the `regex` module.
const PRE_SPLIT =
  /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\p{White_Space}\p{L}\p{N}]+/giu;

/** basic_clean + whitespace_clean + lower, as simple_tokenizer.encode applies them. */
export function cleanText(text: string): string {
  let t = text.normalize("NFC"); // stands in for ftfy.fix_text (see the module comment)
  t = htmlUnescape(htmlUnescape(t)).replace(EDGE_SPACE, "");
  t = t.replace(WHITESPACE_RUN, " ").replace(EDGE_SPACE, "");
  return t.toLowerCase();
}

export class ClipTokenizer {
  private readonly byteEncoder = bytesToUnicode();
  private readonly byteDecoder = new Map(this.byteEncoder.map((ch, b) => [ch, b]));
  private readonly encoder = new Map<string, number>();
  private readonly decoder: string[] = [];
  private readonly ranks = new Map<string, number>();
  private readonly cache = new Map<string, string[]>();
  private readonly utf8 = new TextEncoder();

  /** Builds the vocabulary from the merges text (header line, then one "a b" merge per line). */
  constructor(mergesText: string) {
    const lines = mergesText.split("\n");
    if (lines.length < MERGE_COUNT + 1)
      throw new Error(
        `CLIP merges: expected at least ${MERGE_COUNT} merges after the header line, found ${Math.max(0, lines.length - 1)}`,
      );
    const merges: [string, string][] = [];
    for (let i = 1; i <= MERGE_COUNT; i++) {
      const parts = lines[i]!.trim().split(/\s+/);
      if (parts.length !== 2) throw new Error(`CLIP merges: line ${i + 1} is not "first second": ${JSON.stringify(lines[i])}`);
      merges.push([parts[0]!, parts[1]!]);
    }
    const base = alphabet(this.byteEncoder);
    const vocab = [...base, ...base.map((c) => c + "</w>"), ...merges.map(([a, b]) => a + b), "<|startoftext|>", "<|endoftext|>"];
    // Later duplicates win, as in Python's dict(zip(vocab, range(len(vocab)))).
    vocab.forEach((token, id) => this.encoder.set(token, id));
    this.decoder = vocab;
    merges.forEach(([a, b], rank) => this.ranks.set(`${a} ${b}`, rank));
    this.cache.set("<|startoftext|>", ["<|startoftext|>"]);
    this.cache.set("<|endoftext|>", ["<|endoftext|>"]);
  }

  get vocabSize(): number {
    return this.decoder.length;
  }

  /** The BPE symbols of one pre-token (already mapped through bytes_to_unicode). */
  bpe(token: string): string[] {
    const cached = this.cache.get(token);
    if (cached) return cached;
    let word = [...token.slice(0, -1), token.slice(-1) + "</w>"];
    while (word.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i < word.length - 1; i++) {
        const rank = this.ranks.get(`${word[i]} ${word[i + 1]}`);
        if (rank !== undefined && rank < bestRank) (bestRank = rank), (best = i);
      }
      if (best < 0) break;
      const first = word[best]!;
      const second = word[best + 1]!;
      // Merge every occurrence of the pair, left to right.
      const merged: string[] = [];
      for (let i = 0; i < word.length; ) {
        if (word[i] === first && i < word.length - 1 && word[i + 1] === second) {
          merged.push(first + second);
          i += 2;
        } else merged.push(word[i++]!);
      }
      word = merged;
    }
    this.cache.set(token, word);
    return word;
  }

  /** Token ids of a text, without start/end tokens (simple_tokenizer's `encode`). */
  encode(text: string): number[] {
    const ids: number[] = [];
    for (const match of cleanText(text).matchAll(PRE_SPLIT)) {
      let mapped = "";
      for (const byte of this.utf8.encode(match[0])) mapped += this.byteEncoder[byte];
      for (const symbol of this.bpe(mapped)) {
        const id = this.encoder.get(symbol);
        if (id === undefined) throw new Error(`CLIP tokenizer: symbol ${JSON.stringify(symbol)} is not in the vocabulary`);
        ids.push(id);
      }
    }
    return ids;
  }

  /** Text of ids (end-of-word markers become spaces), like simple_tokenizer's `decode`. */
  decode(ids: ArrayLike<number>): string {
    let symbols = "";
    for (let i = 0; i < ids.length; i++) symbols += this.decoder[ids[i]!] ?? "";
    const bytes = Uint8Array.from([...symbols.replace(/<\|(start|end)oftext\|>/g, "")].map((c) => this.byteDecoder.get(c) ?? 0x3f));
    return new TextDecoder("utf-8", { fatal: false }).decode(bytes).replaceAll("</w>", " ");
  }

  /**
   * `[start] + encode(text) + [end]`, cut to the context length (keeping the end token,
   * like `clip.tokenize(truncate=True)`) and padded. Returns Int32Array(contextLength).
   */
  tokenize(text: string, { padId = END_TOKEN, contextLength = CONTEXT_LENGTH, onTruncate }: TokenizeOptions = {}): Int32Array {
    const ids = [START_TOKEN, ...this.encode(text), END_TOKEN];
    const out = new Int32Array(contextLength).fill(padId);
    if (ids.length > contextLength) {
      onTruncate?.({ text, tokenCount: ids.length, contextLength });
      ids.length = contextLength;
      ids[contextLength - 1] = END_TOKEN;
    }
    out.set(ids);
    return out;
  }
}
