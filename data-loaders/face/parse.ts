// Cold path: parse an ICT-FaceKit folder into a FaceModel (a few seconds; load.ts caches it).
import { parseObj, parseObjPositions } from "../../src/engine/face/obj.js";
import { buildFaceModel } from "../../src/engine/face/ict.js";
import type { FaceModel } from "../../src/engine/face/types.js";
import { IDENTITY_FILES, readIctFile, readVertexIndices } from "./source.js";

export function parseIctFolder(dir: string): FaceModel {
  const { expressions: names } = readVertexIndices(dir);
  const neutral = parseObj(readIctFile(dir, "generic_neutral_mesh.obj"), "generic_neutral_mesh.obj");
  const n = neutral.positions.length;
  const positionsOf = (file: string) => parseObjPositions(readIctFile(dir, file), new Float64Array(n), file);
  return buildFaceModel({
    neutral,
    identities: IDENTITY_FILES.map(positionsOf),
    expressions: names.map((name) => positionsOf(`${name}.obj`)),
    expressionNames: names,
  });
}
