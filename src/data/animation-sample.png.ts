// A sample photo for the tracker: ../shared/faces/astronaut.png when present (public domain),
// else a blank image (the page then reports "no face").
import { samplePhoto } from "../../data-loaders/animation/sample.js";

process.stdout.write(samplePhoto());
