// "Does it write like its corpus?" on a model's page: POST /api/models/{id}/style (the API's defaults: a few pieces
// generated as the Generate page generates them) and its statistics beside the corpus's, in small paired bar charts
// and a table, with the distance in words.
import { postJson, h, replace, showError, fmtNumber, noteName } from './api.js';

const NS = 'http://www.w3.org/2000/svg';
const PITCH_CLASSES = ['C', 'C♯', 'D', 'E♭', 'E', 'F', 'F♯', 'G', 'A♭', 'A', 'B♭', 'B'];
const $ = (x) => document.getElementById(x);

function s(tag, attrs = {}, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** Two shares per label side by side (generated, corpus) as an SVG that scales to its box. */
function pairedBars(id, title, labels, mine, theirs) {
  const W = 360, H = 150, L = 8, R = 8, T = 8, B = 26;
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': `${id}-caption`, class: 'style-chart', id });
  const max = Math.max(0.01, ...mine, ...(theirs || []));
  const band = (W - L - R) / labels.length;
  const bar = (band - 4) / (theirs ? 2 : 1);
  const y = (v) => T + (1 - v / max) * (H - T - B);
  labels.forEach((label, i) => {
    const x0 = L + i * band + 2;
    svg.append(s('rect', { x: x0, y: y(mine[i]), width: bar, height: H - B - y(mine[i]), class: 'bar-generated' }, undefined));
    if (theirs) svg.append(s('rect', { x: x0 + bar, y: y(theirs[i]), width: bar, height: H - B - y(theirs[i]), class: 'bar-corpus' }));
    svg.append(s('text', { x: x0 + (band - 4) / 2, y: H - 8, 'text-anchor': 'middle', class: 'tick' }, label));
  });
  const pct = (v) => `${fmtNumber(100 * v, 0)} %`;
  const words = labels.map((label, i) => `${label}: ${pct(mine[i])}${theirs ? ` against ${pct(theirs[i])}` : ''}`).join('; ');
  return h('figure', { class: 'style-figure' }, h('figcaption', { id: `${id}-caption` }, h('strong', {}, title), h('span', { class: 'visually-hidden' }, ` ${words}`)), svg);
}

/** The distance in words: 0 the same statistics, 1 nothing in common. */
export function distanceWords(d) {
  if (d < 0.05) return 'very close to its corpus';
  if (d < 0.15) return 'close to its corpus';
  if (d < 0.3) return 'noticeably unlike its corpus';
  return 'far from its corpus';
}

export function mountStyle(modelId) {
  const section = $('style');
  const button = $('style-button');
  const message = $('style-message');
  const result = $('style-result');
  section.hidden = false;

  button.addEventListener('click', async () => {
    button.disabled = true;
    replace(message);
    replace(result, h('p', { class: 'muted', role: 'status' }, 'Generating and measuring…'));
    try {
      show(await (await postJson(`/api/models/${modelId}/style`, {})).json());
    } catch (error) {
      replace(result);
      showError(message, error);
    } finally {
      button.disabled = false;
    }
  });

  function show(r) {
    const g = r.generated, c = r.corpus;
    const pct = (v) => `${fmtNumber(100 * v, 1)} %`;
    const range = (x) => (x.lowest == null ? 'silence' : `${noteName(x.lowest)}–${noteName(x.highest)}`);
    const row = (label, f) => h('tr', {}, h('th', { scope: 'row' }, label), h('td', { class: 'num' }, f(g)), c ? h('td', { class: 'num' }, f(c)) : null);
    const lengths = ['1', '2', '3', '4', '5–8', '9–16', '17+'];
    const polyphony = ['0', '1', '2', '3', '4', '5', '6', '7', '8+'];
    replace(result,
      h('p', { id: 'style-distance' }, c
        ? [h('strong', {}, `Distance ${fmtNumber(r.distance, 3)}: `), `the model's music is ${distanceWords(r.distance)}. `,
          `The distance is the mean of four Jensen-Shannon distances — of which notes are used (pitch classes), how many sound at once, `,
          `how long notes last and how often nothing sounds — each 0 when the two sides have the same shares and 1 when they have nothing in common.`]
        : 'The corpus this model learned from is not in this service (an imported or bundled model): here are the generated pieces alone.'),
      h('p', { class: 'muted' }, `${fmtNumber(r.pieces)} pieces of ${fmtNumber(r.steps)} steps, k ${r.gibbsK}, seeds from ${r.seed}` +
        (c ? `; the corpus: ${fmtNumber(r.corpusFiles)} training files, ${fmtNumber(c.steps)} steps.` : '.')),
      h('div', { class: 'style-legend' }, h('span', { class: 'swatch bar-generated' }), ' generated', c ? [' ', h('span', { class: 'swatch bar-corpus' }), ' corpus'] : null),
      h('div', { class: 'style-charts' },
        pairedBars('style-pitch-classes', 'Which notes (pitch classes)', PITCH_CLASSES, g.pitchClasses, c && c.pitchClasses),
        pairedBars('style-polyphony', 'Notes at once', polyphony, g.polyphony, c && c.polyphony),
        pairedBars('style-lengths', 'Note lengths (steps)', lengths, g.noteLengths, c && c.noteLengths)),
      h('div', { class: 'table-scroll' }, h('table', { id: 'style-table' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Measured'), h('th', { scope: 'col', class: 'num' }, 'Generated'), c ? h('th', { scope: 'col', class: 'num' }, 'Corpus') : null)),
        h('tbody', {},
          row('Steps where nothing sounds', (x) => pct(x.emptyStepRate)),
          row('Notes at once when something sounds', (x) => fmtNumber(x.meanPolyphony, 2)),
          row('Range', range),
          row('Mean pitch', (x) => (x.meanPitch == null ? '–' : `${noteName(Math.round(x.meanPitch))} (MIDI ${fmtNumber(x.meanPitch, 1)})`))))));
  }
}
