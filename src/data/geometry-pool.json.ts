// The candidate pool for src/geometry-ranking.md: embeddings, anchors, prompt embeddings and
// thumbnails (newest merged pool under results/pools, else a 64-candidate tiny demo pool).
import { poolPagePayload } from "../../data-loaders/geometry/pages.js";

process.stdout.write(JSON.stringify(await poolPagePayload()));
