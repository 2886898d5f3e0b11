// The face-specific asset builders on the real ICT model.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadFaceModel } from "../../../data-loaders/face/load.js";
import { faceGlbAsset, faceObjMesh } from "../../../src/engine/export/face-asset.js";
import { writeGlb } from "../../../src/engine/export/gltf.js";
import { synthesize } from "../../../src/engine/face/synthesize.js";
import { assertValidGlb } from "../../helpers/gltf-validate.js";
import { sharedIctDir } from "../../helpers/ict-files.js";
import { encodePng } from "../../../data-loaders/io/png.js";

const model = await loadFaceModel({ dir: sharedIctDir() });

test("faceObjMesh keeps ICT's vertex order and quads; its vt are the region's UVs in the atlas, within [0, 1]", () => {
  const mesh = faceObjMesh(model, { identity: [0, 1] });
  assert.deepEqual(mesh.positions, synthesize(model, { identity: [0, 1] }));
  assert.equal(mesh.faceStart!.length, 14035);
  assert.equal(mesh.faceVertices.length, 14034 * 4);
  assert.equal(mesh.faceUvs!.length, mesh.faceVertices.length);
  assert.ok(mesh.uvs!.every((x) => x >= 0 && x <= 1), "every vt within [0, 1]");
  // Corner by corner: ICT's tile UV with u halved (face tile left, head-and-neck tile right).
  for (let c = 0; c < mesh.faceUvs!.length; c += 97) {
    const ict = model.polygonUvs[c]!, t = mesh.faceUvs![c]!;
    assert.ok(Math.abs(mesh.uvs![t * 2]! - model.uvs[ict * 2]! / 2) < 1e-7);
    assert.equal(mesh.uvs![t * 2 + 1], model.uvs[ict * 2 + 1]);
  }
});

test("faceGlbAsset: full head with textures, tangents and morph normals is a valid .glb; the baked variant has no targets", async () => {
  const png = encodePng(new Float32Array(2 * 2 * 4).fill(200 / 255), 2, 2, { channels: 4 });
  const asset = faceGlbAsset(model, { region: "full", expression: [0.5], morphNormals: true, material: { baseColorPng: png, normalPng: png, specularPng: png } });
  assert.equal(asset.morphTargets!.length, 53);
  assert.ok(asset.tangents, "a normal map brings tangents");
  assert.ok(asset.morphTargets![0]!.normals);
  assert.equal(asset.morphTargets![0]!.weight, 0.5);
  // ICT is in centimetres, glTF in metres.
  const ys = asset.positions.filter((_, i) => i % 3 === 1);
  assert.ok(Math.max(...ys) - Math.min(...ys) < 1, "head height under a metre");
  // One primitive per ICT material group; the skin groups take the asset's material.
  assert.deepEqual(asset.submeshes!.map((s) => s.name), model.materialGroups!.map((g) => g.name));
  assert.equal(asset.submeshes![0]!.material, undefined);
  assert.equal(asset.submeshes![3]!.material!.name, "M_Teeth");
  assert.equal(asset.submeshes!.reduce((n, s) => n + s.triangleCount, 0), asset.indices.length / 3);
  await assertValidGlb(writeGlb(asset), "full-head.glb");
  assert.equal(faceGlbAsset(model, { morphTargets: false }).submeshes, undefined, "the DreamFace region stays one primitive by default");

  const baked = faceGlbAsset(model, { expression: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], morphTargets: false });
  assert.equal(baked.morphTargets, undefined);
  const withTargets = faceGlbAsset(model, {});
  let moved = 0;
  for (let i = 0; i < baked.positions.length; i++) moved = Math.max(moved, Math.abs(baked.positions[i]! - withTargets.positions[i]!));
  assert.ok(moved > 0.005, "jawOpen baked into the base moves vertices by more than 5 mm");
});
