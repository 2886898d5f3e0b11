import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parquetReadObjects } from "hyparquet";
import { TrajectoryLog } from "../../../data-loaders/run/trajectory.js";
import { tempDir } from "../../helpers/tmp.js";

test("TrajectoryLog truncates to a checkpoint step, ignores a torn line, and writes Parquet", async () => {
  const dir = tempDir("traj-");
  const log = new TrajectoryLog(dir);
  for (let step = 0; step < 5; step++) log.append({ step, loss: step * 0.5, phase: step < 3 ? "a" : "b" });
  log.close();
  appendFileSync(log.path, '{"step": 5, "loss"'); // a kill mid-write
  assert.equal(log.rows().length, 5);
  log.truncateTo(3);
  assert.deepEqual(log.rows().map((r) => r.step), [0, 1, 2]);
  log.append({ step: 3, loss: 9, extra: 1 });
  const out = join(dir, "t.parquet");
  log.toParquet(out);
  const bytes = readFileSync(out);
  const rows = await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) });
  assert.equal(rows.length, 4);
  assert.equal(rows[3]!.loss, 9);
  assert.equal(rows[0]!.phase, "a");
  assert.equal(rows[0]!.extra, null);
});
