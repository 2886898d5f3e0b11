// Reference ids from ../shared/reference/model-interfaces.md §4.2 (each reproduced there with
// OpenAI's simple_tokenizer on the official merges) and transformers' CLIP integration test.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loadMergesText } from "../../../data-loaders/clip/merges.js";
import { ClipTokenizer, bytesToUnicode, cleanText, END_TOKEN, START_TOKEN } from "../../../src/engine/clip/tokenizer.js";
import { htmlUnescape } from "../../../src/engine/clip/htmlUnescape.js";

const tokenizer = new ClipTokenizer(loadMergesText());
const ids = (text: string) => [START_TOKEN, ...tokenizer.encode(text), END_TOKEN];

const REFERENCE: [string, number[]][] = [
  ["a photo of a cat", [49406, 320, 1125, 539, 320, 2368, 49407]],
  ["a photo of a dog", [49406, 320, 1125, 539, 320, 1929, 49407]],
  ["a painting of a cat", [49406, 320, 3086, 539, 320, 2368, 49407]],
  ["bozuman", [49406, 647, 4091, 786, 49407]],
  ["An astronaut riding a horse", [49406, 550, 18376, 6765, 320, 4558, 49407]],
  ["hello world", [49406, 3306, 1002, 49407]],
  ["", [49406, 49407]],
  ["A Photo of a TREE!", [49406, 320, 1125, 539, 320, 2677, 256, 49407]],
  ["it's a cat's toy, running   fast", [49406, 585, 568, 320, 2368, 568, 5988, 267, 2761, 1953, 49407]],
  ["2 dogs and 3 cats", [49406, 273, 3255, 537, 274, 3989, 49407]],
  ["a diagram", [49406, 320, 22697, 49407]],
  ["mobileclip", [49406, 9451, 944, 8546, 49407]],
  ["a DSLR photo of a face", [49406, 320, 33740, 1125, 539, 320, 1710, 49407]],
];

test("encode reproduces every reference tokenisation", () => {
  for (const [text, expected] of REFERENCE) assert.deepEqual(ids(text), expected, JSON.stringify(text));
});

test("encode without specials and the reverse lookup agree with the published tokens", () => {
  assert.deepEqual(tokenizer.encode("a photo of a cat"), [320, 1125, 539, 320, 2368]);
  assert.equal(tokenizer.decode([333, 6554, 5322]).trim(), "n kabrie");
});

test("multi-script text (CJK, Thai, decomposed accent, <s>, blank lines) matches transformers' integration ids", () => {
  // "false\u0301" is the decomposed é: NFC (our stand-in for ftfy) composes it first.
  const text =
    "This is a test\nI was born in 92000, and this is false\u0301.\n生活的真谛是\nHi  Hello\nHi   Hello\n\n \n  \n Hello\n<s>\nhi<s>there\n" +
    "The following string should be properly encoded: Hello.\nBut ird and ปี   ird   ด\nHey how are you doing";
  const expected = [
    49406, 589, 533, 320, 1628, 328, 739, 2683, 530, 280, 273, 271, 271, 271, 267, 537, 589, 533, 2778, 82, 4166, 269, 33375, 162, 112,
    119, 163, 248, 226, 41570, 164, 108, 249, 42891, 363, 1883, 3306, 1883, 3306, 3306, 283, 338, 285, 1883, 283, 338, 285, 997, 518,
    3473, 9696, 1535, 655, 12560, 524, 33703, 281, 3306, 269, 767, 2770, 537, 1777, 505, 20278, 2770, 38825, 2189, 829, 631, 592, 1960,
    49407,
  ];
  assert.equal(expected.length, 73);
  assert.deepEqual(ids(text), expected);
});

test("special-token text is kept whole and html entities are unescaped twice", () => {
  assert.deepEqual(ids("<|endoftext|>"), [49406, 49407, 49407]);
  // "&amp;lt;" unescapes to "&lt;" then to "<", so it tokenizes like "<".
  assert.deepEqual(ids("&amp;lt;"), ids("<"));
  assert.equal(htmlUnescape("caf&eacute; &#233; &#x41; &notit; &#150; &amp"), "café é A ¬it; – &");
});

test("cleanText collapses Unicode whitespace, strips and lowercases", () => {
  assert.equal(cleanText("  A\u00a0\u3000B\n\tC\u0085 "), "a b c");
  assert.equal(cleanText("E\u0301"), "\u00e9");
});

test("vocabulary: 49408 entries with the documented ids", () => {
  assert.equal(tokenizer.vocabSize, 49408);
  assert.equal(tokenizer.decode([0]), "!");
  assert.equal(tokenizer.decode([64]), "a");
  assert.deepEqual(tokenizer.encode("!"), [256]); // "!</w>"
  assert.deepEqual(tokenizer.encode("a"), [320]); // "a</w>"
  assert.equal(tokenizer.decode([512]), "in");
  assert.equal(tokenizer.decode([49405]), "jekyll ");
  const table = bytesToUnicode();
  assert.equal(table[32], "\u0120");
  assert.equal(table[0], "\u0100");
  assert.equal(table[173], "\u0143");
  assert.equal(new Set(table).size, 256);
});

test("tokenize pads to 77 with the chosen id", () => {
  const hf = tokenizer.tokenize("a painting of a cat");
  assert.ok(hf instanceof Int32Array);
  assert.equal(hf.length, 77);
  assert.deepEqual(Array.from(hf.slice(0, 7)), [49406, 320, 3086, 539, 320, 2368, 49407]);
  assert.ok(hf.slice(7).every((v) => v === 49407));
  const openai = tokenizer.tokenize("bozuman", { padId: 0 });
  assert.deepEqual(Array.from(openai.slice(0, 5)), [49406, 647, 4091, 786, 49407]);
  assert.ok(openai.slice(5).every((v) => v === 0));
});

test("long prompts are truncated to 77 keeping the end token, with a warning", () => {
  const warnings: { tokenCount: number; contextLength: number }[] = [];
  const out = tokenizer.tokenize("a ".repeat(100), { padId: 0, onTruncate: (info) => warnings.push(info) });
  assert.equal(out.length, 77);
  assert.equal(out[0], 49406);
  assert.equal(out[76], 49407);
  assert.ok(out.slice(1, 76).every((v) => v === 320));
  assert.deepEqual(warnings.map((w) => [w.tokenCount, w.contextLength]), [[102, 77]]);
  // Exactly 77 ids fit without a warning.
  const fits = tokenizer.tokenize("a ".repeat(75), { onTruncate: () => assert.fail("75 words plus specials fit in 77") });
  assert.equal(fits[76], 49407);
});

test("a merges text that is too short is rejected with a message naming the count", () => {
  assert.throws(() => new ClipTokenizer("#version: 0.2\ni n\n"), /expected at least 48894 merges/);
});

test("80 random multi-script strings match the Python reference port (fixture)", () => {
  const url = new URL("../../fixtures/clip/tokenizer-python.json", import.meta.url);
  const { cases } = JSON.parse(readFileSync(url, "utf8")) as { cases: [string, number[]][] };
  assert.equal(cases.length, 80);
  for (const [text, expected] of cases) assert.deepEqual(ids(text), expected, JSON.stringify(text));
});
