/**
 * The text conditioning each variant uses: the caption T's hidden states (wo-mp, wo-prompt), or
 * Q(T, C) of Eq. 9 (full): T's token embeddings with the learned vector of the item's domain at
 * the slot after T's tokens, run through the text encoder on embeddings. Hidden states of a
 * plain caption never change, so they are computed once per distinct caption.
 */
import type { Backend } from "../../models/backend.js";
import { encodeText, encodeTextEmbeds, tokenEmbeddings } from "../../models/text.js";
import { tensor } from "../../models/tensor.js";
import { spliceIds } from "../texture/guidance.js";

export const HIDDEN_LEN = 77;

export interface Spliced {
  /** Ids of Q(T, ·) [77] and the learned slot's position. */
  ids: Int32Array;
  at: number;
  /** Token embeddings of those ids [77·D] (the slot's row is overwritten by C). */
  table: Float32Array;
}

export class LdmConditioning {
  private plain = new Map<string, Float32Array>();
  private spliced = new Map<string, Spliced>();
  constructor(private readonly backend: Backend) {}

  private static key(ids: Int32Array): string {
    return Array.prototype.join.call(ids, ",");
  }

  /** Hidden states of T alone [77·768]. */
  async plainHidden(ids: Int32Array): Promise<Float32Array> {
    const k = LdmConditioning.key(ids);
    let h = this.plain.get(k);
    if (!h) this.plain.set(k, (h = (await encodeText(this.backend, ids)).hiddenStates.data as Float32Array));
    return h;
  }

  async splice(ids: Int32Array): Promise<Spliced> {
    const k = LdmConditioning.key(ids);
    let s = this.spliced.get(k);
    if (!s) {
      const q = spliceIds(ids, 1);
      s = { ids: q.ids, at: q.at, table: (await tokenEmbeddings(this.backend, q.ids)).data as Float32Array };
      this.spliced.set(k, s);
    }
    return s;
  }

  /** Q(T_b, C_b) for a batch: ids [B·77], embeds [B·77·D], and the hidden states [B·77·768]. */
  async tokenHidden(items: readonly { ids: Int32Array; vector: Float32Array }[]): Promise<{ ids: Int32Array; embeds: Float32Array; at: number[]; hidden: Float32Array; d: number }> {
    const parts = await Promise.all(items.map((it) => this.splice(it.ids)));
    const d = parts[0]!.table.length / HIDDEN_LEN;
    const ids = new Int32Array(items.length * HIDDEN_LEN);
    const embeds = new Float32Array(items.length * HIDDEN_LEN * d);
    parts.forEach((p, b) => {
      if (items[b]!.vector.length !== d) throw new Error(`learned tokens are ${items[b]!.vector.length} wide, the text encoder's token embeddings ${d}`);
      ids.set(p.ids, b * HIDDEN_LEN);
      embeds.set(p.table, b * HIDDEN_LEN * d);
      embeds.set(items[b]!.vector, (b * HIDDEN_LEN + p.at) * d);
    });
    const r = await encodeTextEmbeds(this.backend, tensor("int32", ids, [items.length, HIDDEN_LEN]), tensor("float32", embeds, [items.length, HIDDEN_LEN, d]));
    return { ids, embeds, at: parts.map((p) => p.at), hidden: r.hiddenStates.data as Float32Array, d };
  }
}
