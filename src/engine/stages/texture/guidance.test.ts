// Eq. 9 conditioning of the texture LDM on the tiny graphs: C_d enters through the text
// encoder's input embeddings (derived text_encoder_embeds / token_embeddings), the texture
// path's unconditional branch is the empty prompt, and each named ablation option changes
// exactly what it says.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createNodeBackend } from "../../../../data-loaders/models/backend-node.js";
import { tokenize } from "../../../../data-loaders/clip/merges.js";
import { buildTextEncoder, TOKEN_DIM, VOCAB } from "../../../../models/tiny/build.js";
import { onnx } from "../../autodiff/proto.js";
import { encodeText, encodeTextEmbeds, textureDomainTokens, tokenEmbeddings, type Backend, type Tensor } from "../../models/index.js";
import { tensor } from "../../models/tensor.js";
import { END_TOKEN } from "../../clip/tokenizer.js";
import { parseTextureConfig, texturePromptText } from "./config.js";
import { createTextureModels, encodeWithDomainTokens, spliceIds, type TextureModelsOptions } from "./guidance.js";

const backend = await createNodeBackend({ profile: "tiny" });
const PROMPT = "the face of an old man";
const ids = tokenize(PROMPT);
const empty = tokenize("");
const f32 = (t: Tensor) => Array.from(t.data as Float32Array);

/** The tiny text encoder's token table [VOCAB, 8], read from the graph it is built from. */
function tinyTokenTable(): Float32Array {
  const m = onnx.ModelProto.decode(buildTextEncoder(0));
  const t = m.graph!.initializer!.find((i) => i.dims?.length === 2 && Number(i.dims[0]) === VOCAB && Number(i.dims[1]) === TOKEN_DIM)!;
  if (t.floatData?.length) return Float32Array.from(t.floatData);
  const raw = t.rawData!;
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
}

/** Rows of [1,77,d] hidden states that differ between a and b. */
function differingRows(a: Tensor, b: Tensor): number[] {
  const d = a.dims[2]!;
  const A = a.data as Float32Array, B = b.data as Float32Array;
  const rows: number[] = [];
  for (let r = 0; r < a.dims[1]!; r++) if (A.subarray(r * d, (r + 1) * d).some((v, k) => v !== B[r * d + k])) rows.push(r);
  return rows;
}

test("spliceIds: the learned slots go after the prompt's tokens, the end token follows, 77 positions kept", () => {
  const end = ids.indexOf(END_TOKEN);
  const q = spliceIds(ids, 1);
  assert.equal(q.at, end);
  assert.equal(q.ids.length, 77);
  assert.deepEqual(Array.from(q.ids.subarray(0, end)), Array.from(ids.subarray(0, end)));
  assert.notEqual(q.ids[end], END_TOKEN);
  assert.equal(q.ids[end + 1], END_TOKEN);
  // Pooling's argmax finds the end token right after the slot.
  assert.equal(q.ids.indexOf(Math.max(...q.ids)), end + 1);
  // A prompt filling all 77 positions loses its last word to make room.
  const full = tokenize(Array(100).fill("face").join(" "), { onTruncate: () => {} });
  assert.equal(full[76], END_TOKEN);
  const qf = spliceIds(full, 1);
  assert.equal(qf.at, 75);
  assert.equal(qf.ids[76], END_TOKEN);
  assert.deepEqual(Array.from(qf.ids.subarray(0, 75)), Array.from(full.subarray(0, 75)));
});

test("token_embeddings + text_encoder_embeds (derived for tiny, D = 8) reproduce text_encoder", async () => {
  const e = await tokenEmbeddings(backend, ids);
  assert.deepEqual(e.dims, [1, 77, TOKEN_DIM]);
  const table = tinyTokenTable();
  const hand = new Float32Array(77 * TOKEN_DIM);
  ids.forEach((id, p) => hand.set(table.subarray(id * TOKEN_DIM, (id + 1) * TOKEN_DIM), p * TOKEN_DIM));
  assert.deepEqual(f32(e), Array.from(hand));
  const viaEmbeds = await encodeTextEmbeds(backend, ids, e);
  const direct = await encodeText(backend, ids);
  assert.deepEqual(f32(viaEmbeds.hiddenStates), f32(direct.hiddenStates));
  assert.deepEqual(f32(viaEmbeds.pooled), f32(direct.pooled));
});

test("Q(T, C_d): equals text_encoder_embeds on hand-built embeddings, and conditions every position (unlike an output overwrite)", async () => {
  const { desired } = await textureDomainTokens(backend);
  assert.equal(desired.length, TOKEN_DIM, "the tiny domain tokens are token embeddings of the tiny text encoder");
  const got = await encodeWithDomainTokens(backend, ids, [desired]);
  // Hand-built: the token table's rows for the spliced ids, C_d at the slot.
  const q = spliceIds(ids, 1);
  const table = tinyTokenTable();
  const hand = new Float32Array(77 * TOKEN_DIM);
  q.ids.forEach((id, p) => hand.set(p === q.at ? desired : table.subarray(id * TOKEN_DIM, (id + 1) * TOKEN_DIM), p * TOKEN_DIM));
  const direct = await encodeTextEmbeds(backend, q.ids, tensor("float32", hand, [1, 77, TOKEN_DIM]));
  assert.deepEqual(f32(got), f32(direct.hiddenStates));
  // The old method overwrote one output row: the same ids encoded normally would differ from
  // Q(T, C_d) at that row only. Through the input embeddings, C_d reaches every position.
  const plain = (await encodeText(backend, q.ids)).hiddenStates;
  assert.equal(differingRows(got, plain).length, 77);
});

test("domain tokens of another width than the token table: a clear error", async () => {
  await assert.rejects(encodeWithDomainTokens(backend, ids, [new Float32Array(768)]), /768 wide but the text encoder's token embeddings are 8 wide/);
});

/** The texture UNet's encoder_hidden_states batch [uncond, cond] for one textureEps call. */
async function textureHidden(texturePrompt: Int32Array, options: TextureModelsOptions = {}): Promise<{ uncond: number[]; cond: number[] }> {
  const seen: Float32Array[] = [];
  const session = await backend.session("texture_unet");
  const spy: Backend = {
    ...backend,
    session: async (role: string) =>
      role !== "texture_unet"
        ? backend.session(role)
        : { ...session, run: async (feeds) => (seen.push(Float32Array.from(feeds.encoder_hidden_states!.data as Float32Array)), session.run(feeds)) },
  };
  const models = await createTextureModels(spy, { prompt: ids, empty, texturePrompt }, { latentSize: 8, ...options });
  await models.textureEps(new Float32Array(8 * 8 * 4).fill(0.1), 500, 7.5);
  const h = seen.flatMap((x) => Array.from(x));
  const n = h.length / 2;
  return { uncond: h.slice(0, n), cond: h.slice(n) };
}

test("texture path by default: cond = Q(P, C_d), uncond = the empty prompt encoded normally", async () => {
  const config = parseTextureConfig({});
  assert.equal(config.textureNegative, "empty-prompt");
  assert.equal(config.textureSuffix, "none");
  assert.equal(texturePromptText(PROMPT, config), PROMPT);
  const { desired } = await textureDomainTokens(backend);
  const h = await textureHidden(tokenize(texturePromptText(PROMPT, config)), { textureNegative: config.textureNegative });
  assert.deepEqual(h.cond, f32(await encodeWithDomainTokens(backend, ids, [desired])));
  assert.deepEqual(h.uncond, f32((await encodeText(backend, empty)).hiddenStates));
});

test('textureNegative "undesired-tokens" changes the uncond branch only, to Q("", C_u)', async () => {
  const { undesired } = await textureDomainTokens(backend);
  const base = await textureHidden(ids);
  const h = await textureHidden(ids, { textureNegative: "undesired-tokens" });
  assert.deepEqual(h.cond, base.cond);
  assert.deepEqual(h.uncond, f32(await encodeWithDomainTokens(backend, empty, [undesired])));
  assert.notDeepEqual(h.uncond, base.uncond);
});

test('textureSuffix "handcrafted" changes T only (the prompt + ", " + textureKeyword before C_d)', async () => {
  const config = parseTextureConfig({ textureSuffix: "handcrafted" });
  const text = texturePromptText(PROMPT, config);
  assert.equal(text, `${PROMPT}, in the desired domain`);
  assert.equal(texturePromptText(PROMPT, { ...config, textureKeyword: "as a UV map" }), `${PROMPT}, as a UV map`);
  const { desired } = await textureDomainTokens(backend);
  const base = await textureHidden(ids);
  const h = await textureHidden(tokenize(text));
  assert.deepEqual(h.uncond, base.uncond);
  assert.deepEqual(h.cond, f32(await encodeWithDomainTokens(backend, tokenize(text), [desired])));
  assert.notDeepEqual(h.cond, base.cond);
});

test("config: the ablation options reject unknown values", () => {
  assert.throws(() => parseTextureConfig({ textureNegative: "placeholder" }), /textureNegative/);
  assert.throws(() => parseTextureConfig({ textureSuffix: "yes" }), /textureSuffix/);
});

test.after(() => backend.dispose());
