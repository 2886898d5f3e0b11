import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { writeDuckDbAtomic } from "../../../data-loaders/io/duckdb.js";
import { tempDir } from "../../helpers/tmp.js";

async function rows(path: string): Promise<unknown[]> {
  const instance = await DuckDBInstance.create(path, { access_mode: "READ_ONLY" });
  const db = await instance.connect();
  try {
    return (await db.runAndReadAll("SELECT x FROM t ORDER BY x")).getRowObjectsJson();
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

test("writeDuckDbAtomic builds the database, leaves only the final file, and a failed rebuild keeps the old one", async () => {
  const dir = tempDir("dreamface-duckdb-");
  const path = join(dir, "sub", "x.duckdb");
  const n = await writeDuckDbAtomic(path, async (db) => {
    await db.run("CREATE TABLE t AS SELECT * FROM range(3) r(x)");
    return 3;
  });
  assert.equal(n, 3);
  assert.deepEqual(readdirSync(join(dir, "sub")), ["x.duckdb"]);
  await assert.rejects(
    writeDuckDbAtomic(path, async (db) => {
      await db.run("CREATE TABLE t AS SELECT 42 AS x");
      throw new Error("build failed");
    }),
    /build failed/,
  );
  assert.deepEqual(readdirSync(join(dir, "sub")), ["x.duckdb"], "no temporary files left");
  assert.deepEqual(await rows(path), [{ x: "0" }, { x: "1" }, { x: "2" }]);
});
