// DuckDB database files built whole: DuckDB writes its own files (and a .wal beside them), so
// writeFileAtomic can't be used; build under a temporary sibling name, checkpoint, close, then
// rename into place. Readers see the previous database or the new one, never half of one.
import { mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";

/** Creates the database at `path` with `build(connection)`; on error nothing is left behind and `path` is untouched. */
export async function writeDuckDbAtomic<T>(path: string, build: (connection: DuckDBConnection) => Promise<T>, tmp = `${path}.${process.pid}.tmp`): Promise<T> {
  const removeTmp = () => {
    rmSync(tmp, { force: true });
    rmSync(`${tmp}.wal`, { force: true });
  };
  mkdirSync(dirname(path), { recursive: true });
  removeTmp();
  const instance = await DuckDBInstance.create(tmp);
  const connection = await instance.connect();
  let result: T;
  try {
    result = await build(connection);
    await connection.run("CHECKPOINT");
  } catch (error) {
    connection.closeSync();
    instance.closeSync();
    removeTmp();
    throw error;
  }
  connection.closeSync();
  instance.closeSync();
  rmSync(`${tmp}.wal`, { force: true });
  renameSync(tmp, path);
  rmSync(`${path}.wal`, { force: true });
  return result;
}
