/**
 * testSignalBanner: the warning every page shows above outputs of the tiny profile (random-weight
 * models: test signals, not faces), in one wording and style, so printed reports carry it too.
 *
 *   display(testSignalBanner(run.label, "the curves show the optimiser working on random-weight models"));
 *
 * Returns an empty text node when there is no label (a real-weights run). Plain DOM.
 */
export function testSignalBanner(label: string | null | undefined, what: string, { strong = true } = {}): Node {
  if (!label) return document.createTextNode("");
  const p = document.createElement("p");
  p.className = "warning test-signal";
  if (strong) p.style.fontWeight = "bold";
  p.textContent = `⚠ ${label}: ${what}`;
  return p;
}
