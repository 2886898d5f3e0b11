// Independent-renderer agreement: three.js in headless Chromium draws the ICT region with the
// same camera parameters; its coverage must match ours (IoU > 0.999) in every ranking view.
import { test } from "node:test";
import assert from "node:assert/strict";
import { launchThreePeer, maskIoU } from "../../../data-loaders/raster/three-peer.js";
import { ictRegionMesh } from "../../helpers/ict.js";
import { FACE_DISTANCE, FACE_FOV_Y, FACE_TARGET, orbitCamera } from "../../../src/engine/raster/camera.js";
import { rasterize } from "../../../src/engine/raster/rasterize.js";

test("three.js and our rasterizer agree on the ICT face's coverage (IoU > 0.999, 3 views, 256² and 512×384)", async (t) => {
  const mesh = await ictRegionMesh();
  const triangles = mesh.triangles.map((v) => mesh.source![v]!);
  const peer = await launchThreePeer();
  try {
    await peer.setMesh(mesh.positions, triangles);
    for (const [W, H] of [[256, 256], [512, 384]] as const) {
      for (const azimuth of [0, -45, 45]) {
        const a = (azimuth * Math.PI) / 180;
        const eye = [FACE_TARGET[0] + FACE_DISTANCE * Math.sin(a), FACE_TARGET[1], FACE_TARGET[2] + FACE_DISTANCE * Math.cos(a)] as const;
        const ours = rasterize({ positions: mesh.positions, triangles }, orbitCamera({ azimuth, aspect: W / H }), W, H);
        const { frames } = await peer.render([{ camera: { eye, target: FACE_TARGET, fovY: FACE_FOV_Y, near: 1, far: 1000 } }], W, H);
        const theirs = new Uint8Array(W * H);
        for (let i = 0; i < W * H; i++) theirs[i] = frames[0]!.rgba[4 * i]! > 127 ? 1 : 0;
        const { iou, union } = maskIoU(ours.triangleId, theirs);
        assert.ok(union > W * H * 0.2, `the face should fill a good part of the frame (${union} px)`);
        t.diagnostic(`azimuth ${azimuth} ${W}×${H}: IoU ${iou.toFixed(5)}`);
        assert.ok(iou > 0.999, `azimuth ${azimuth} at ${W}×${H}: IoU ${iou.toFixed(5)}`);
      }
    }
  } finally {
    await peer.close();
  }
});
