// The newest finished texture run for src/texture.md (else a short labelled tiny demo).
import { texturePagePayload } from "../../data-loaders/texture/pages.js";

process.stdout.write(JSON.stringify(await texturePagePayload()));
