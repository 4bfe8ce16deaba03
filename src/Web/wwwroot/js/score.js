// "Score a piece" on a model's page: upload a MIDI file, POST /api/models/{id}/score (multipart), then the figure, the
// plain sentence from the server, the floors beside it and the curve of each step's surprise (drawn here as SVG; the
// same curve as PNG is the same request with Accept: image/png).
import { request, h, replace, showError, clearFieldErrors, checkConstraints, fmtNumber } from './api.js';
import { newProgressId, followProgress } from './request-progress.js';

const NS = 'http://www.w3.org/2000/svg';
const W = 640, H = 260, L = 48, R = 12, T = 16, B = 36;
const $ = (x) => document.getElementById(x);

function s(tag, attrs = {}, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** The surprise per step (the model's, the floor's, the corpus's mean as a level); returns a sentence for the caption. */
export function drawSurprise(svg, surprise, floor, corpusLevel) {
  svg.replaceChildren();
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  const values = [...surprise, ...(floor || []), ...(corpusLevel != null ? [corpusLevel] : [])].filter(Number.isFinite);
  const max = Math.max(1, ...values) * 1.08;
  const n = surprise.length;
  const x = (t) => L + (n <= 1 ? (W - L - R) / 2 : (t / (n - 1)) * (W - L - R));
  const y = (v) => T + (1 - v / max) * (H - T - B);
  const step = max > 40 ? 10 : max > 16 ? 5 : max > 6 ? 2 : 1;
  for (let v = 0; v <= max; v += step) {
    svg.append(s('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), class: 'grid' }), s('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'tick' }, String(v)));
  }
  svg.append(s('text', { x: (L + W - R) / 2, y: H - 6, 'text-anchor': 'middle', class: 'tick' }, `step (1 to ${n})`));
  const line = (ys, cls) => s('polyline', { points: ys.map((v, t) => `${x(t).toFixed(1)},${y(Number.isFinite(v) ? v : 0).toFixed(1)}`).join(' '), class: cls });
  if (floor && floor.length) svg.append(line(floor, 'series-floor'));
  if (corpusLevel != null) svg.append(s('line', { x1: L, x2: W - R, y1: y(corpusLevel), y2: y(corpusLevel), class: 'series-level' }));
  svg.append(line(surprise, 'series-main'));
  let peak = 0;
  surprise.forEach((v, t) => { if (v > surprise[peak]) peak = t; });
  svg.append(s('circle', { cx: x(peak), cy: y(surprise[peak]), r: 4, class: 'series-peak' }));
  return `Surprise of each of the ${n} steps to the model, in nats (higher: less expected); the highest is step ${peak + 1}.`
    + (floor ? ' Grey: the same for notes drawn independently.' : '')
    + (corpusLevel != null ? ` Dashed: the corpus's mean surprise per step (${fmtNumber(corpusLevel, 2)}).` : '');
}

/** Mounts the section: the form and where its result goes. */
export function mountScore(modelId) {
  const section = $('score');
  const form = $('score-form');
  const file = $('score-file');
  const message = $('score-message');
  const result = $('score-result');
  const button = $('score-button');
  let pngUrl = null;
  section.hidden = false;

  async function post(accept, progressId) {
    const body = new FormData();
    body.append('file', file.files[0]);
    const headers = { Accept: accept };
    if (progressId) headers['X-Progress-Id'] = progressId;
    return request(`/api/models/${modelId}/score`, { method: 'POST', body, headers });
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    replace(message);
    clearFieldErrors(form);
    if (!checkConstraints(form)) return; // the file input is required
    button.disabled = true;
    const progressId = newProgressId();
    const progress = followProgress(progressId, $('score-progress'), 'the score');
    try {
      const score = await (await post('application/json', progressId)).json();
      progress.stop();
      show(score);
    } catch (error) {
      showError(message, error, form);
    } finally {
      progress.stop();
      button.disabled = false;
    }
  });

  function show(r) {
    const svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-labelledby', 'score-curve-caption');
    svg.classList.add('surprise-curve');
    const against = r.corpusFigures.find((f) => f.split === 'test') || r.corpusFigures[0];
    const caption = h('figcaption', { id: 'score-curve-caption', class: 'muted' });
    const pct = (v) => (v == null ? '–' : `${fmtNumber(100 * v, 1)} %`);
    const png = h('button', { type: 'button', class: 'button button-quiet button-small', id: 'score-png' }, 'The curve as a PNG image');
    png.addEventListener('click', async () => {
      png.disabled = true;
      try {
        const blob = await (await post('image/png')).blob();
        if (pngUrl) URL.revokeObjectURL(pngUrl);
        pngUrl = URL.createObjectURL(blob);
        const a = h('a', { href: pngUrl, download: `${r.fileName.replace(/\.[^.]*$/, '')}-surprise.png` });
        document.body.append(a);
        a.click();
        a.remove();
      } catch (error) {
        showError(message, error);
      } finally {
        png.disabled = false;
      }
    });
    replace(result,
      h('p', { class: 'score-figure', id: 'score-figure' },
        h('strong', {}, `${fmtNumber(r.logLikelihoodPerStep, 3)} nats per step`), ` ± ${fmtNumber(r.standardError, 3)} for ${r.fileName} (${fmtNumber(r.steps)} steps of ${r.grid})`,
        r.aisConverged === false ? h('span', { class: 'reason' }, ' — NOT converged: it reads too high') : null),
      h('p', { id: 'score-summary' }, r.summary),
      h('dl', { class: 'stats', id: 'score-stats' },
        stat('Floor: independent notes', r.baselineLogLikelihood != null ? `${fmtNumber(r.baselineLogLikelihood, 3)} nats per step` : 'the corpus this model learned from is not here'),
        stat('Next-chord accuracy', `${pct(r.accuracy)} (floor, repeat the last chord: ${pct(r.baselineAccuracy)})`),
        ...r.corpusFigures.map((f) => stat(`The corpus's ${f.split} music (its evaluation)`, `${fmtNumber(f.logLikelihood, 3)} nats per step`)),
        r.notesOutsideRange ? stat('Notes left out', `${fmtNumber(r.notesOutsideRange)} outside the model's pitch range`) : null),
      h('figure', { class: 'curve-figure' }, svg, caption),
      h('div', { class: 'button-row' }, png));
    caption.textContent = drawSurprise(svg, r.surprise, r.baselineSurprise, against ? -against.logLikelihood : null);
  }
}

function stat(term, value) {
  return h('div', {}, h('dt', {}, term), h('dd', {}, value));
}
