/**
 * modeSliders: one Inputs.range per blendshape mode, optionally grouped into collapsible
 * <details> sections, with a reset button. The element's `value` is a Float32Array (one
 * coefficient per label, in label order) and it emits "input" like any Observable input, so a
 * page writes `const e = view(modeSliders({labels: model.expressionNames, groups: "arkit"}))`.
 *
 * Options: labels (required); min/max/step (default 0…1, 0.01); groups: "arkit" groups ARKit
 * names by face part (brow, eye, cheek, nose, jaw, mouth, tongue), or none; open: whether the
 * first group starts expanded.
 */
import * as Inputs from "@observablehq/inputs";

export interface ModeSlidersOptions {
  labels: readonly string[];
  min?: number;
  max?: number;
  step?: number;
  groups?: "arkit" | null;
  open?: boolean;
}

export type ModeSlidersElement = HTMLElement & { value: Float32Array };

const ARKIT_PARTS = ["brow", "eye", "cheek", "nose", "jaw", "mouth", "tongue"] as const;

/** Groups names by ARKit face part, keeping model order inside each group; unknown → "other". */
export function groupArkitNames(labels: readonly string[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  labels.forEach((label, index) => {
    const part = ARKIT_PARTS.find((p) => label.toLowerCase().startsWith(p)) ?? "other";
    if (!groups.has(part)) groups.set(part, []);
    groups.get(part)!.push(index);
  });
  return groups;
}

export function modeSliders({ labels, min = 0, max = 1, step = 0.01, groups = null, open = false }: ModeSlidersOptions): ModeSlidersElement {
  const root = document.createElement("div") as unknown as ModeSlidersElement;
  root.className = "mode-sliders";
  const value = new Float32Array(labels.length);
  const sliders: HTMLElement[] = labels.map((label, index) => {
    const slider = Inputs.range([min, max], { value: 0, step, label }) as HTMLElement & { value: number };
    slider.dataset.mode = String(index);
    // Each slider's own "input" is re-emitted by the container with the whole vector.
    slider.addEventListener("input", (event) => {
      event.stopPropagation();
      value[index] = slider.value;
      root.dispatchEvent(new Event("input", { bubbles: true }));
    });
    return slider;
  });

  const reset = document.createElement("button");
  reset.type = "button";
  reset.textContent = "Reset";
  reset.addEventListener("click", () => {
    for (const slider of sliders) (slider as HTMLElement & { value: number }).value = 0;
    value.fill(0);
    root.dispatchEvent(new Event("input", { bubbles: true }));
  });

  if (groups === "arkit") {
    let first = true;
    for (const [part, indices] of groupArkitNames(labels)) {
      const details = document.createElement("details");
      details.open = open && first;
      first = false;
      const summary = document.createElement("summary");
      summary.textContent = `${part} (${indices.length})`;
      details.append(summary, ...indices.map((i) => sliders[i]!));
      root.append(details);
    }
  } else {
    root.append(...sliders);
  }
  root.append(reset);
  Object.defineProperty(root, "value", { get: () => value });
  return root;
}
