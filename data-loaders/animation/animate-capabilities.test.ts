// The personalized path's networks have no public weights: without them `animate --path
// personalized` refuses in one line, before any tracking (so before Chromium is even needed),
// and the run folder stays unwritten.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { animate } from "./animate.js";
import { UserError } from "../cli/errors.js";
import { assetPath, tmp } from "../../test/helpers/animation.js";

test("animate --path personalized without anim_* models: a one-line UserError naming them and the blendshape path", async () => {
  const sd15 = join(tmp, "sd15-public");
  mkdirSync(sd15, { recursive: true });
  const before = process.env.DREAMFACE_SD15_DIR;
  process.env.DREAMFACE_SD15_DIR = sd15;
  try {
    const runDir = join(tmp, "personalized-run");
    await assert.rejects(
      animate({ asset: assetPath, images: tmp, out: join(tmp, "p.glb"), path: "personalized", profile: "sd15", runDir }),
      (e: unknown) =>
        e instanceof UserError &&
        !e.message.includes("\n") &&
        /cannot run \[animation\] personalized path .*anim_e_geo, anim_e_exp, anim_g_geo missing.*: blendshape path only \(--path blendshape\)/.test(e.message),
    );
    assert.ok(!existsSync(runDir) && !existsSync(join(tmp, "p.glb")));
  } finally {
    if (before === undefined) delete process.env.DREAMFACE_SD15_DIR;
    else process.env.DREAMFACE_SD15_DIR = before;
  }
});
