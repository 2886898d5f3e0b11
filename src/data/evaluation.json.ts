// Metrics across runs (CLIP scores, ablations, KID) from the refreshed DuckDB index, for src/evaluation.md.
import { evaluationPayload } from "../../data-loaders/evaluation/pages.js";

process.stdout.write(JSON.stringify(await evaluationPayload()));
