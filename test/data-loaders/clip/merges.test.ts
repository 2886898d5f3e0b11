import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadMergesText, loadTokenizer, tokenize } from "../../../data-loaders/clip/merges.js";
import { UserError } from "../../../data-loaders/cli/errors.js";
import { tempDir } from "../../helpers/tmp.js";

test("the shared gzip merges load and tokenize (default search order)", () => {
  const ids = tokenize("a photo of a cat", { padId: 0 });
  assert.deepEqual(Array.from(ids.slice(0, 8)), [49406, 320, 1125, 539, 320, 2368, 49407, 0]);
  assert.equal(loadTokenizer(), loadTokenizer(), "tokenizers are cached per path");
});

test("a Hugging Face model folder's tokenizer/merges.txt gives the same ids", () => {
  const gz = loadMergesText();
  const merges = gz.split("\n").slice(1, 48895);
  const dir = tempDir("dreamface-merges-");
  mkdirSync(join(dir, "tokenizer"));
  writeFileSync(join(dir, "tokenizer", "merges.txt"), "#version: 0.2\n" + merges.join("\n") + "\n");
  const text = "An astronaut riding a horse";
  assert.deepEqual(Array.from(loadTokenizer(dir).tokenize(text)), Array.from(loadTokenizer().tokenize(text)));
  assert.deepEqual(Array.from(tokenize(text, { merges: join(dir, "tokenizer", "merges.txt") }).slice(0, 7)), [49406, 550, 18376, 6765, 320, 4558, 49407]);
});

test("missing, corrupt or short merges files are user errors naming the file", () => {
  const dir = tempDir("dreamface-merges-");
  assert.throws(() => loadMergesText(join(dir, "nope.txt.gz")), (e: unknown) => e instanceof UserError && /nope\.txt\.gz/.test(e.message));
  const bad = join(dir, "bad.txt.gz");
  writeFileSync(bad, Uint8Array.of(0x1f, 0x8b, 1, 2, 3));
  assert.throws(() => loadMergesText(bad), /not a valid gzip/);
  const short = join(dir, "short.txt");
  writeFileSync(short, "#version: 0.2\ni n\n");
  assert.throws(() => loadTokenizer(short), (e: unknown) => e instanceof UserError && /short\.txt/.test(e.message) && /48894/.test(e.message));
});

test("tokenize warns on stderr when it truncates, unless a callback is given", (t) => {
  const warn = t.mock.method(console, "warn", () => {});
  const ids = tokenize("a ".repeat(90));
  assert.equal(ids[76], 49407);
  assert.equal(warn.mock.callCount(), 1);
  assert.match(String(warn.mock.calls[0]!.arguments[0]), /has 92 tokens; truncated to 77/);
  let seen = 0;
  tokenize("a ".repeat(90), { onTruncate: () => seen++ });
  assert.equal(seen, 1);
  assert.equal(warn.mock.callCount(), 1);
});
