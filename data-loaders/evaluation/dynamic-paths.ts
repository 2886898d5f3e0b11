// The run pages Framework builds (observablehq.config.ts `dynamicPaths`): /runs/<id> for every
// run id under <results>/runs with at least one stage manifest. No runs → no pages.
import { resultsDir } from "../io/paths.js";
import { findRuns } from "./discover.js";

/** Run ids safe as one URL path segment. */
export const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function runIds(results: string = resultsDir()): string[] {
  return [...new Set(findRuns(results).map((r) => r.id))].filter((id) => RUN_ID.test(id));
}

export async function* runPagePaths(): AsyncGenerator<string> {
  for (const id of runIds()) yield `/runs/${id}`;
}
