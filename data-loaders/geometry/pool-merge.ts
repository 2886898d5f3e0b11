// `dreamface pool merge`: combines a complete pool's chunk files into one DuckDB database
// (tables `candidates` and `anchors`), one merged Parquet file (written by DuckDB, with real
// FLOAT[] columns any engine can read), and raw float32 files the ranker reads in one go.
import { mkdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import { writeDuckDbAtomic } from "../io/duckdb.js";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.js";
import { loadPool } from "./pool-read.js";
import { mergedDir } from "./pool-files.js";
import { loadEmbeddingTable } from "./duckdb-embeddings.js";

export interface MergeResult {
  dir: string;
  rows: number;
  files: Record<string, string>;
  ms: number;
}

const bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

export async function mergePool(dir: string): Promise<MergeResult> {
  const t0 = performance.now();
  const pool = await loadPool(dir, { thumbnails: true });
  const { spec } = pool;
  const out = mergedDir(dir);
  mkdirSync(out, { recursive: true });
  // DuckDB writes its own files; build under temporary names, then rename into place.
  const dbTmp = join(out, `.pool.${process.pid}.duckdb`), pqTmp = join(out, `.pool.${process.pid}.parquet`);
  await writeDuckDbAtomic(join(out, "pool.duckdb"), async (con) => {
    await loadEmbeddingTable(con, "emb", pool.embeddings, spec.dim);
    await loadEmbeddingTable(con, "beta", pool.betas, spec.identityCount);
    await con.run("CREATE TABLE thumb (id INTEGER, thumbnail BLOB)");
    const app = await con.createAppender("thumb");
    pool.thumbnails!.forEach((png, i) => {
      app.appendInteger(i);
      app.appendBlob(png);
      app.endRow();
    });
    app.closeSync();
    await con.run(`CREATE TABLE candidates AS SELECT e.id, b.embedding AS beta, e.embedding, t.thumbnail
      FROM emb e JOIN beta b USING (id) JOIN thumb t USING (id) ORDER BY e.id`);
    await con.run("DROP TABLE emb; DROP TABLE beta; DROP TABLE thumb;");
    const anchors = new Float32Array([...pool.anchors.meshImage, ...pool.anchors.text]);
    await loadEmbeddingTable(con, "anchors_raw", anchors, spec.dim);
    await con.run(`CREATE TABLE anchors AS SELECT CASE id WHEN 0 THEN 'mean mesh' ELSE '${pool.anchors.anchorText.replace(/'/g, "''")}' END AS name, embedding FROM anchors_raw ORDER BY id`);
    await con.run("DROP TABLE anchors_raw");
    await con.run(`COPY candidates TO '${pqTmp.replace(/'/g, "''")}' (FORMAT parquet)`);
  }, dbTmp);
  renameSync(pqTmp, join(out, "pool.parquet"));
  writeFileAtomic(join(out, "embeddings.f32"), bytes(pool.embeddings));
  writeFileAtomic(join(out, "betas.f32"), bytes(pool.betas));
  const files = {
    "pool.duckdb": "DuckDB: candidates(id, beta FLOAT[100], embedding FLOAT[D], thumbnail PNG BLOB), anchors(name, embedding)",
    "pool.parquet": "the candidates table as Parquet",
    "embeddings.f32": `raw little-endian float32 [${spec.size}×${spec.dim}]`,
    "betas.f32": `raw little-endian float32 [${spec.size}×${spec.identityCount}]`,
  };
  writeJsonAtomic(join(out, "merged.json"), { rows: spec.size, dim: spec.dim, files, label: spec.label });
  return { dir: out, rows: spec.size, files, ms: performance.now() - t0 };
}
