/**
 * Wavefront OBJ parsing for the ICT-FaceKit files, on bytes (the engine never reads files).
 * The parser walks the bytes itself instead of splitting strings: the model is 155 files of
 * ~2.5 MB each, and a cold parse should take seconds, not minutes.
 */

export interface ObjMesh {
  /** `[V*3]` vertex positions. */
  positions: Float32Array;
  /** `[U*2]` texture coordinates (v up, as in the file). */
  uvs: Float32Array;
  /** Polygon `p` has corners `polygonStart[p]..polygonStart[p+1]` of the two arrays below. `[P+1]` */
  polygonStart: Uint32Array;
  /** 0-based vertex index per corner. */
  polygonVertices: Uint32Array;
  /** 0-based texture-coordinate index per corner (0xffffffff when the corner has none). */
  polygonUvs: Uint32Array;
  /** `usemtl` switches: material name and the first polygon it applies to. */
  materials: { name: string; firstPolygon: number }[];
}

export const NO_UV = 0xffffffff;

const NL = 10, CR = 13, SP = 32, TAB = 9, SLASH = 47, MINUS = 45, PLUS = 43, DOT = 46, HASH = 35;

/** Growable typed buffers: avoids JS arrays of boxed numbers during the parse. */
class F32 {
  a = new Float32Array(1 << 16);
  n = 0;
  push(x: number) {
    if (this.n === this.a.length) { const b = new Float32Array(this.a.length * 2); b.set(this.a); this.a = b; }
    this.a[this.n++] = x;
  }
  done() { return this.a.slice(0, this.n); }
}
class U32 {
  a = new Uint32Array(1 << 16);
  n = 0;
  push(x: number) {
    if (this.n === this.a.length) { const b = new Uint32Array(this.a.length * 2); b.set(this.a); this.a = b; }
    this.a[this.n++] = x;
  }
  done() { return this.a.slice(0, this.n); }
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** A cursor over one OBJ file's bytes. */
class Cursor {
  i = 0;
  constructor(readonly b: Uint8Array, readonly name: string) {}

  line(): number {
    let n = 1;
    for (let k = 0; k < this.i && k < this.b.length; k++) if (this.b[k] === NL) n++;
    return n;
  }
  fail(what: string): never {
    throw new Error(`${this.name}: line ${this.line()}: ${what}`);
  }
  skipSpaces() {
    const b = this.b;
    while (this.i < b.length && (b[this.i] === SP || b[this.i] === TAB)) this.i++;
  }
  skipLine() {
    const b = this.b;
    while (this.i < b.length && b[this.i] !== NL) this.i++;
    this.i++;
  }
  atLineEnd(): boolean {
    const c = this.b[this.i];
    return this.i >= this.b.length || c === NL || c === CR || c === HASH;
  }
  /** Decimal number with optional sign, fraction and exponent. Mantissa/10^k is correctly rounded for ≤15 digits. */
  number(): number {
    this.skipSpaces();
    const b = this.b;
    let i = this.i;
    let neg = false;
    if (b[i] === MINUS) { neg = true; i++; } else if (b[i] === PLUS) i++;
    let mant = 0, digits = 0, scale = 0, any = false;
    while (i < b.length && b[i]! >= 48 && b[i]! <= 57) {
      if (digits < 15) { mant = mant * 10 + (b[i]! - 48); if (mant) digits++; } else scale--;
      i++; any = true;
    }
    if (b[i] === DOT) {
      i++;
      while (i < b.length && b[i]! >= 48 && b[i]! <= 57) {
        if (digits < 15) { mant = mant * 10 + (b[i]! - 48); scale++; if (mant) digits++; }
        i++; any = true;
      }
    }
    if (!any) this.fail("expected a number");
    if (b[i] === 101 || b[i] === 69) {
      i++;
      let eneg = false;
      if (b[i] === MINUS) { eneg = true; i++; } else if (b[i] === PLUS) i++;
      let e = 0;
      const start = i;
      while (i < b.length && b[i]! >= 48 && b[i]! <= 57) e = e * 10 + (b[i++]! - 48);
      if (i === start) this.fail("malformed exponent");
      scale -= eneg ? -e : e;
    }
    this.i = i;
    let x: number;
    if (scale === 0) x = mant;
    else if (scale > 0 && scale < POW10.length) x = mant / POW10[scale]!;
    else if (scale < 0 && -scale < POW10.length) x = mant * POW10[-scale]!;
    else x = mant * 10 ** -scale;
    return neg ? -x : x;
  }
  /** Signed integer (OBJ indices may be negative = relative to the end). */
  int(): number {
    const b = this.b;
    let neg = false;
    if (b[this.i] === MINUS) { neg = true; this.i++; }
    let n = 0;
    const start = this.i;
    while (this.i < b.length && b[this.i]! >= 48 && b[this.i]! <= 57) n = n * 10 + (b[this.i++]! - 48);
    if (this.i === start) this.fail("expected an index");
    return neg ? -n : n;
  }
  word(): string {
    const b = this.b;
    const start = this.i;
    while (this.i < b.length && b[this.i] !== SP && b[this.i] !== TAB && b[this.i] !== NL && b[this.i] !== CR) this.i++;
    let s = "";
    for (let k = start; k < this.i; k++) s += String.fromCharCode(b[k]!);
    return s;
  }
}

function keyword(b: Uint8Array, i: number): "v" | "vt" | "f" | "usemtl" | "other" {
  const c0 = b[i], c1 = b[i + 1], c2 = b[i + 2];
  if (c0 === 118 /* v */) {
    if (c1 === SP || c1 === TAB) return "v";
    if (c1 === 116 /* t */ && (c2 === SP || c2 === TAB)) return "vt";
    return "other";
  }
  if (c0 === 102 /* f */ && (c1 === SP || c1 === TAB)) return "f";
  if (c0 === 117 && b[i + 1] === 115 && b[i + 2] === 101 && b[i + 3] === 109 && b[i + 4] === 116 && b[i + 5] === 108) return "usemtl";
  return "other";
}

/** Parses `v`, `vt`, `f` (`a`, `a/b`, `a/b/c`, `a//c`, any polygon size) and `usemtl`; ignores the rest. */
export function parseObj(bytes: Uint8Array, name = "obj"): ObjMesh {
  const c = new Cursor(bytes, name);
  const pos = new F32(), uv = new F32(), start = new U32(), pv = new U32(), pt = new U32();
  const materials: { name: string; firstPolygon: number }[] = [];
  start.push(0);
  const b = bytes;
  while (c.i < b.length) {
    c.skipSpaces();
    const kw = keyword(b, c.i);
    if (kw === "v") {
      c.i += 2;
      pos.push(c.number()); pos.push(c.number()); pos.push(c.number());
    } else if (kw === "vt") {
      c.i += 3;
      uv.push(c.number()); uv.push(c.number());
    } else if (kw === "f") {
      c.i += 2;
      let corners = 0;
      const nv = pos.n / 3, nt = uv.n / 2;
      for (;;) {
        c.skipSpaces();
        if (c.atLineEnd()) break;
        let v = c.int();
        v = v < 0 ? nv + v : v - 1;
        if (v < 0 || v >= nv) c.fail(`vertex index out of range (${nv} vertices so far)`);
        let t = NO_UV;
        if (b[c.i] === SLASH) {
          c.i++;
          if (b[c.i] !== SLASH) {
            let ti = c.int();
            ti = ti < 0 ? nt + ti : ti - 1;
            if (ti < 0 || ti >= nt) c.fail(`texture index out of range (${nt} so far)`);
            t = ti;
          }
          if (b[c.i] === SLASH) { c.i++; c.int(); } // normal index: unused, normals are recomputed
        }
        pv.push(v); pt.push(t); corners++;
      }
      if (corners < 3) c.fail("a face needs at least 3 corners");
      start.push(pv.n);
    } else if (kw === "usemtl") {
      c.i += 6;
      c.skipSpaces();
      materials.push({ name: c.word(), firstPolygon: start.n - 1 });
    }
    c.skipLine();
  }
  return {
    positions: pos.done(),
    uvs: uv.done(),
    polygonStart: start.done(),
    polygonVertices: pv.done(),
    polygonUvs: pt.done(),
    materials,
  };
}

/**
 * Reads only the `v` lines into `out` (`[V*3]`, float64 so that differences of two files keep
 * the file's precision). The identity and expression files differ from the neutral one only in
 * their `v` lines, so the rest is skipped. Throws unless exactly `out.length / 3` vertices are found.
 */
export function parseObjPositions(bytes: Uint8Array, out: Float64Array, name = "obj"): Float64Array {
  const c = new Cursor(bytes, name);
  const b = bytes;
  let n = 0;
  let seenV = false;
  while (c.i < b.length) {
    c.skipSpaces();
    if (b[c.i] === 118 && (b[c.i + 1] === SP || b[c.i + 1] === TAB)) {
      seenV = true;
      c.i += 2;
      if (n + 3 > out.length) c.fail(`more than ${out.length / 3} vertices`);
      out[n++] = c.number(); out[n++] = c.number(); out[n++] = c.number();
    } else if (seenV && b[c.i] !== HASH && b[c.i] !== NL && b[c.i] !== CR && keyword(b, c.i) !== "other") {
      break; // past the vertex block (ICT files keep all `v` lines together)
    }
    c.skipLine();
  }
  if (n !== out.length) throw new Error(`${name}: has ${n / 3} vertices, expected ${out.length / 3}`);
  return out;
}
