/**
 * Python's `html.unescape`, which CLIP's tokenizer applies (twice) to every prompt: numeric
 * references with the Windows-1252 remapping of 0x80–0x9F, U+FFFD for surrogates and
 * out-of-range values, dropped non-characters; all HTML5 names; and the legacy names that
 * also match without ';' (longest prefix first, the rest kept verbatim).
 */
import { HTML5_ENTITIES } from "./htmlEntities.js";

// HTML5 names that are valid without the trailing ';' (Latin-1, amp, lt, gt, quot, copy, reg).
const LEGACY = new Set(
  "Aacute aacute Acirc acirc acute AElig aelig Agrave agrave AMP amp Aring aring Atilde atilde Auml auml brvbar Ccedil ccedil cedil cent COPY copy curren deg divide Eacute eacute Ecirc ecirc Egrave egrave ETH eth Euml euml frac12 frac14 frac34 GT gt Iacute iacute Icirc icirc iexcl Igrave igrave iquest Iuml iuml laquo LT lt macr micro middot nbsp not Ntilde ntilde Oacute oacute Ocirc ocirc Ograve ograve ordf ordm Oslash oslash Otilde otilde Ouml ouml para plusmn pound QUOT quot raquo REG reg sect shy sup1 sup2 sup3 szlig THORN thorn times Uacute uacute Ucirc ucirc Ugrave ugrave uml Uuml uuml Yacute yacute yen yuml".split(
    " ",
  ),
);

const has = (name: string) => Object.prototype.hasOwnProperty.call(HTML5_ENTITIES, name);

// Python's html._invalid_charrefs: C1 controls are read as Windows-1252.
const CP1252 = "\u20ac\x81\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\x8d\u017d\x8f\x90\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\x9d\u017e\u0178";

function invalidCodePoint(n: number): boolean {
  return (
    (n >= 0x1 && n <= 0x8) || n === 0xb || (n >= 0xe && n <= 0x1f) || (n >= 0x7f && n <= 0x9f) ||
    (n >= 0xfdd0 && n <= 0xfdef) || (n & 0xfffe) === 0xfffe
  );
}

function charref(num: number): string {
  if (num === 0) return "\ufffd";
  if (num === 13) return "\r";
  if (num >= 0x80 && num <= 0x9f) return CP1252[num - 0x80]!;
  if ((num >= 0xd800 && num <= 0xdfff) || num > 0x10ffff) return "\ufffd";
  if (invalidCodePoint(num)) return "";
  return String.fromCodePoint(num);
}

// Same pattern as CPython's html._charref.
const CHARREF = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/g;

function replace(match: string, s: string): string {
  if (s[0] === "#") {
    const hex = s[1] === "x" || s[1] === "X";
    const digits = s.slice(hex ? 2 : 1).replace(/;$/, "");
    // Huge values parse to a huge float or Infinity; both end up > 0x10FFFF like Python's int.
    return charref(hex ? parseInt(digits, 16) : Number(digits));
  }
  if (s.endsWith(";") && has(s.slice(0, -1))) return HTML5_ENTITIES[s.slice(0, -1)]!;
  if (LEGACY.has(s)) return HTML5_ENTITIES[s]!;
  // Python tries the longest prefix that is a legacy name, keeping the rest verbatim.
  for (let x = s.length - 1; x > 1; x--) {
    const prefix = s.slice(0, x);
    if (LEGACY.has(prefix)) return HTML5_ENTITIES[prefix]! + s.slice(x);
  }
  return match;
}

/** Decodes HTML character references like Python's `html.unescape`. */
export function htmlUnescape(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(CHARREF, replace);
}
