import { test } from "node:test";
import assert from "node:assert/strict";
import { htmlUnescape } from "../../../src/engine/clip/htmlUnescape.js";

// Expected values printed by CPython 3.11's html.unescape for each input.
const PYTHON: [string, string][] = [
  ["&notin;", "\u2209"], ["&notinva;x", "\u2209x"], ["&ampfoo", "&foo"], ["&AMP;", "&"], ["&amp", "&"],
  ["&Amp;", "&Amp;"], ["&fjlig;", "fj"], ["&ThickSpace;", "\u205f\u200a"], ["&#x110000;", "\ufffd"],
  ["&#128512;", "\ud83d\ude00"], ["&#65534;", ""], ["&#xfdd0;", ""], ["&#11;", ""], ["&#128;", "\u20ac"],
  ["&#x81;", "\u0081"], ["&lt", "<"], ["&lt;;", "<;"], ["&ltfoo;", "<foo;"], ["&#9999999999999999999999;", "\ufffd"],
  ["&&amp;&", "&&&"], ["&nbsp", "\u00a0"], ["&NotNestedLessLess;", "\u2aa1\u0338"], ["& amp;", "& amp;"],
];

test("htmlUnescape agrees with Python's html.unescape", () => {
  for (const [input, expected] of PYTHON) assert.equal(htmlUnescape(input), expected, JSON.stringify(input));
});

test("a text without '&' is returned unchanged", () => {
  assert.equal(htmlUnescape("a photo of a cat"), "a photo of a cat");
});
