/**
 * scheduleEditor: a piecewise-linear schedule (src/engine/config/schedule.ts `{points}`) drawn
 * as its curve over the steps, edited by dragging the points (double-click adds one, a point
 * dragged off the bottom edge is removed) or in the table below. "Apply" hands the schedule on.
 *
 *   const editor = scheduleEditor({label: "λ_geo", points: [[0, 1000], [300, 1000]], steps: 300, min: 0, max: 5000, onApply: (s) => …});
 */
export interface ScheduleEditorOptions {
  label: string;
  points: [number, number][];
  steps: number;
  min: number;
  max: number;
  onApply: (schedule: { points: [number, number][] }) => void;
  width?: number;
  height?: number;
}

const SVG = "http://www.w3.org/2000/svg";

export function scheduleEditor(opts: ScheduleEditorOptions): HTMLElement {
  const W = opts.width ?? 420, H = opts.height ?? 150, pad = 28;
  let points = opts.points.map(([s, v]) => [s, v] as [number, number]);
  const root = document.createElement("div");
  root.className = "schedule-editor";
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("width", String(W));
  svg.setAttribute("height", String(H));
  svg.style.touchAction = "none";
  svg.style.background = "var(--theme-background-alt, #f8f8f8)";
  const table = document.createElement("table");
  const apply = document.createElement("button");
  apply.textContent = `Apply ${opts.label} schedule`;
  apply.className = "schedule-apply";
  apply.onclick = () => opts.onApply({ points: points.map(([s, v]) => [s, v]) });
  root.append(svg, table, apply);

  const lastStep = () => Math.max(opts.steps, ...points.map((p) => p[0]), 1);
  const x = (s: number) => pad + ((W - 2 * pad) * s) / lastStep();
  const y = (v: number) => H - pad - ((H - 2 * pad) * (v - opts.min)) / (opts.max - opts.min || 1);
  const sx = (px: number) => Math.round(((px - pad) / (W - 2 * pad)) * lastStep());
  const sy = (py: number) => opts.min + ((H - pad - py) / (H - 2 * pad)) * (opts.max - opts.min);
  const clampV = (v: number) => Math.min(opts.max, Math.max(opts.min, v));
  const sort = () => points.sort((a, b) => a[0] - b[0]);

  function draw() {
    svg.replaceChildren();
    const axis = document.createElementNS(SVG, "path");
    axis.setAttribute("d", `M${pad},${pad / 2}V${H - pad}H${W - pad / 2}`);
    axis.setAttribute("stroke", "currentColor");
    axis.setAttribute("fill", "none");
    svg.append(axis);
    for (const [tx, ty, text, anchor] of [[pad - 4, y(opts.max) + 4, String(opts.max), "end"], [pad - 4, y(opts.min), String(opts.min), "end"], [W - pad, H - pad + 16, `step ${lastStep()}`, "end"], [pad, H - pad + 16, "0", "start"]] as const) {
      const t = document.createElementNS(SVG, "text");
      t.setAttribute("x", String(tx));
      t.setAttribute("y", String(ty));
      t.setAttribute("font-size", "10");
      t.setAttribute("text-anchor", anchor);
      t.textContent = text;
      svg.append(t);
    }
    // Constant before the first point and after the last, as scheduleValue reads it.
    const d = [[0, points[0]![1]], ...points, [lastStep(), points[points.length - 1]![1]]].map(([s, v], i) => `${i ? "L" : "M"}${x(s!)},${y(v!)}`).join("");
    const line = document.createElementNS(SVG, "path");
    line.setAttribute("d", d);
    line.setAttribute("stroke", "steelblue");
    line.setAttribute("stroke-width", "2");
    line.setAttribute("fill", "none");
    svg.append(line);
    points.forEach((p, i) => {
      const c = document.createElementNS(SVG, "circle");
      c.setAttribute("cx", String(x(p[0])));
      c.setAttribute("cy", String(y(p[1])));
      c.setAttribute("r", "6");
      c.setAttribute("fill", "steelblue");
      c.style.cursor = "grab";
      c.addEventListener("pointerdown", (e) => {
        c.setPointerCapture(e.pointerId);
        const box = svg.getBoundingClientRect();
        const move = (m: PointerEvent) => {
          points[i] = [Math.max(0, sx(m.clientX - box.left)), clampV(sy(m.clientY - box.top))];
          draw();
          renderTable();
        };
        const up = (u: PointerEvent) => {
          c.removeEventListener("pointermove", move);
          if (u.clientY - box.top > H - pad / 2 && points.length > 1) points.splice(i, 1);
          sort();
          draw();
          renderTable();
        };
        c.addEventListener("pointermove", move);
        c.addEventListener("pointerup", up, { once: true });
      });
      svg.append(c);
    });
  }

  svg.addEventListener("dblclick", (e) => {
    const box = svg.getBoundingClientRect();
    points.push([Math.max(0, sx(e.clientX - box.left)), clampV(sy(e.clientY - box.top))]);
    sort();
    draw();
    renderTable();
  });

  function renderTable() {
    table.replaceChildren();
    const head = table.insertRow();
    for (const h of ["step", opts.label, ""]) head.insertCell().textContent = h;
    points.forEach((p, i) => {
      const row = table.insertRow();
      for (const j of [0, 1] as const) {
        const input = document.createElement("input");
        input.type = "number";
        input.value = String(p[j]);
        input.step = j === 0 ? "1" : "any";
        input.style.width = "7em";
        input.onchange = () => {
          const v = Number(input.value);
          if (!Number.isFinite(v)) return;
          points[i]![j] = j === 0 ? Math.max(0, Math.round(v)) : clampV(v);
          sort();
          draw();
          renderTable();
        };
        row.insertCell().append(input);
      }
      const remove = document.createElement("button");
      remove.textContent = "−";
      remove.disabled = points.length < 2;
      remove.onclick = () => {
        points.splice(i, 1);
        draw();
        renderTable();
      };
      row.insertCell().append(remove);
    });
    const add = document.createElement("button");
    add.textContent = "+ point";
    add.onclick = () => {
      const last = points[points.length - 1]!;
      points.push([Math.min(lastStep(), last[0] + Math.max(1, Math.round(lastStep() / 10))), last[1]]);
      sort();
      draw();
      renderTable();
    };
    table.insertRow().insertCell().append(add);
  }

  draw();
  renderTable();
  return root;
}
