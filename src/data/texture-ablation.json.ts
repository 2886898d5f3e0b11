// The newest texture ablation suite for src/texture-ablations.md (else a short labelled tiny demo).
import { ablationPagePayload } from "../../data-loaders/texture/pages.js";

process.stdout.write(JSON.stringify(await ablationPagePayload()));
