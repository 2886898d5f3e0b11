// The newest finished geometry run for src/geometry-carving.md (else a 20-step tiny demo run).
import { carvingPagePayload } from "../../data-loaders/geometry/pages.js";

process.stdout.write(JSON.stringify(await carvingPagePayload()));
