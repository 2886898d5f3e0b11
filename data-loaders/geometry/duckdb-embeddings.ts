// Bulk-loads float32 embeddings into a DuckDB `FLOAT[D]` column. Going value by value through
// the appender costs minutes for a million 768-d rows; copying each 2048-row block of raw
// floats straight into the data chunk's child vector takes seconds.
import duckdb from "@duckdb/node-bindings";
import { ARRAY, DuckDBDataChunk, FLOAT, INTEGER, type DuckDBConnection } from "@duckdb/node-api";

/** Creates (or replaces) `table(id INTEGER, embedding FLOAT[dim])` holding `embeddings [N*dim]`; ids default to 0..N−1. */
export async function loadEmbeddingTable(
  connection: DuckDBConnection,
  table: string,
  embeddings: Float32Array,
  dim: number,
  ids?: Int32Array,
): Promise<void> {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) throw new Error(`loadEmbeddingTable: bad table name ${table}`);
  const n = embeddings.length / dim;
  if (!Number.isInteger(n)) throw new Error(`loadEmbeddingTable: ${embeddings.length} values are not whole ${dim}-d rows`);
  await connection.run(`CREATE OR REPLACE TABLE ${table} (id INTEGER, embedding FLOAT[${dim}])`);
  const appender = await connection.createAppender(table);
  const block = duckdb.vector_size();
  const idBuf = new Int32Array(block);
  // The binding wants a plain ArrayBuffer (not shared memory), so stage each block.
  const staging = new Float32Array(block * dim);
  for (let start = 0; start < n; start += block) {
    const rows = Math.min(block, n - start);
    const chunk = DuckDBDataChunk.create([INTEGER, ARRAY(FLOAT, dim)], rows);
    for (let r = 0; r < rows; r++) idBuf[r] = ids ? ids[start + r]! : start + r;
    duckdb.copy_data_to_vector(duckdb.data_chunk_get_vector(chunk.chunk, 0), 0, idBuf.buffer, 0, rows * 4);
    const child = duckdb.array_vector_get_child(duckdb.data_chunk_get_vector(chunk.chunk, 1));
    staging.set(embeddings.subarray(start * dim, (start + rows) * dim));
    duckdb.copy_data_to_vector(child, 0, staging.buffer, 0, rows * dim * 4);
    duckdb.data_chunk_set_size(chunk.chunk, rows);
    appender.appendDataChunk(chunk);
  }
  appender.closeSync();
}
