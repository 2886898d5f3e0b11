// Model cards of the tiny and sd15 profiles with the tiny files' sha256s.
import { tinyCardsWithHashes } from "../../../data-loaders/models/web-assets.js";

process.stdout.write(JSON.stringify(await tinyCardsWithHashes()));
