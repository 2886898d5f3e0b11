// `dreamface tokenize "<text>"`: CLIP BPE token ids (77, start/end tokens, padded) as JSON.
import type { Command } from "commander";
import { UserError } from "../errors.js";

export function register(program: Command): void {
  program
    .command("tokenize")
    .description("print the CLIP token ids of a prompt as JSON (77 ids, start 49406, end 49407)")
    .argument("<text>", "the prompt")
    .option("--merges <path>", "bpe_simple_vocab_16e6.txt.gz, a merges.txt, or a model folder with tokenizer/merges.txt")
    .option("--pad <id>", "padding id: 49407 (Hugging Face / SD 1.5 text encoder) or 0 (openai clip.tokenize)", "49407")
    .option("--no-pad", "print only start, text and end ids")
    .action(async (text: string, opts: { merges?: string; pad: string | false }) => {
      const padId = opts.pad === false ? 0 : Number(opts.pad);
      if (opts.pad !== false && opts.pad !== "0" && opts.pad !== "49407")
        throw new UserError(`--pad must be 0 or 49407, got ${JSON.stringify(opts.pad)}`);
      const { loadTokenizer } = await import("../../clip/merges.js");
      const tokenizer = loadTokenizer(opts.merges);
      const ids = tokenizer.tokenize(text, {
        padId,
        onTruncate: ({ tokenCount, contextLength }) =>
          console.error(`dreamface: warning: prompt has ${tokenCount} tokens; truncated to ${contextLength} (end token kept)`),
      });
      const out = opts.pad === false ? ids.slice(0, ids.indexOf(49407) + 1) : ids;
      console.log(JSON.stringify(Array.from(out)));
    });
}
