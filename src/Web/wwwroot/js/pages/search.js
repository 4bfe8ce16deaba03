import { getJson, request, h, replace, showError, fmtDate, fmtDuration, stateBadge, setTitle } from '../api.js';

// The search page: where it stands, the best try so far with "Generate from the best", every try's validation curve,
// and the leaderboard; polled every 2 s while the search runs (GET /api/searches/{id}).
const root = document.getElementById('search');
const id = root.dataset.id;
const message = document.getElementById('search-message');
const cancelButton = document.getElementById('cancel-button');
const LIVE = ['queued', 'running', 'stalled'];
const NS = 'http://www.w3.org/2000/svg';
const W = 640, H = 300, L = 64, R = 16, T = 20, B = 40;
const COLORS = ['#1b7f3b', '#1f5fa8', '#b5541c', '#7a3fa0', '#a8871f', '#2b8c8c', '#a02b4e', '#555'];

function svgEl(tag, attrs = {}, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

function words(trial) {
  const s = trial.settings;
  const extra = [s.rbmPretrainEpochs ? 'RBM pretraining' : '', s.rnnPretrainEpochs ? 'RNN pretraining' : ''].filter(Boolean).join(', ');
  return `learning rate ${Number(s.learningRate).toPrecision(2)}, ${s.hidden} hidden, ${s.recurrent} recurrent units, ${s.cdK} Gibbs steps, momentum ${s.momentum}${extra ? ', ' + extra : ''}`;
}

// Every try's validation log-likelihood by epoch, the best try drawn last and thickest.
function drawCurves(svg, trials, bestId) {
  svg.replaceChildren();
  const lines = trials.filter((t) => (t.curve || []).length);
  if (!lines.length) {
    svg.append(svgEl('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'tick' }, 'The curves appear after the first measurement.'));
    return 'No try measured yet.';
  }
  const points = lines.flatMap((t) => t.curve);
  const maxEpoch = Math.max(...points.map((p) => p.epoch), 1);
  // Very poor early points would flatten the rest: the axis starts 1.5 nats below the best try's first point at most.
  const best = Math.max(...points.map((p) => p.logLikelihood));
  // At least half a nat of axis, so that a single point or a flat start still has a scale.
  const floor = Math.min(Math.max(Math.min(...points.map((p) => p.logLikelihood)), best - 6), best - 0.5);
  const x = (e) => L + ((W - L - R) * e) / maxEpoch;
  const y = (v) => T + ((H - T - B) * (best - Math.max(v, floor))) / Math.max(best - floor, 1e-9);
  svg.append(svgEl('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, class: 'axis' }), svgEl('line', { x1: L, y1: T, x2: L, y2: H - B, class: 'axis' }));
  for (const v of [floor, (floor + best) / 2, best]) {
    svg.append(svgEl('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'tick' }, v.toFixed(2)));
  }
  svg.append(svgEl('text', { x: W - R, y: H - 8, 'text-anchor': 'end', class: 'tick' }, `epoch ${maxEpoch}`), svgEl('text', { x: L, y: H - 8, class: 'tick' }, 'epoch 0'));
  const ordered = [...lines.filter((t) => t.id !== bestId), ...lines.filter((t) => t.id === bestId)];
  for (const t of ordered) {
    const d = t.curve.map((p, i) => `${i ? 'L' : 'M'}${x(p.epoch).toFixed(1)},${y(p.logLikelihood).toFixed(1)}`).join(' ');
    const color = COLORS[t.id % COLORS.length];
    const group = svgEl('g', { opacity: t.id === bestId ? 1 : 0.7 });
    group.append(svgEl('title', {}, `try ${t.id}: ${words(t)}`),
      svgEl('path', { d, fill: 'none', stroke: color, 'stroke-width': t.id === bestId ? 3 : 1.2 }),
      ...t.curve.map((p) => svgEl('circle', { cx: x(p.epoch).toFixed(1), cy: y(p.logLikelihood).toFixed(1), r: t.id === bestId ? 4 : 2.5, fill: color })));
    svg.append(group);
  }
  const leader = lines.find((t) => t.id === bestId);
  return `${lines.length} ${lines.length === 1 ? 'try' : 'tries'} measured; the thick line is try ${bestId}` + (leader ? `, the best so far (${leader.bestValidLogLikelihood.toFixed(3)} nats per step).` : '.');
}

function leaderboard(search) {
  if (!search.leaderboard.length) return h('p', { class: 'muted' }, 'No try started yet.');
  return h('div', { class: 'table-scroll' }, h('table', {},
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Try'), h('th', { scope: 'col' }, 'Settings'), h('th', { scope: 'col' }, 'State'),
      h('th', { scope: 'col', class: 'num' }, 'Epochs'), h('th', { scope: 'col', class: 'num' }, 'Best on valid'), h('th', { scope: 'col', class: 'num' }, 'Time'))),
    h('tbody', {}, search.leaderboard.map((t) => h('tr', {},
      h('th', { scope: 'row' }, String(t.id) + (t.id === 0 ? ' (recommended recipe)' : '')),
      h('td', {}, words(t)),
      h('td', {}, t.state),
      h('td', { class: 'num' }, String(t.epochs)),
      h('td', { class: 'num' }, t.bestValidLogLikelihood != null ? `${t.bestValidLogLikelihood.toFixed(3)} (epoch ${t.bestEpoch})` : '–'),
      h('td', { class: 'num' }, fmtDuration(t.seconds)))))));
}

async function load() {
  let search;
  try {
    search = await getJson(`/api/searches/${id}`);
  } catch (error) {
    showError(message, error);
    if (error.status !== 404) setTimeout(load, 5000);
    return;
  }
  const names = await getJson('/api/corpora').then((cs) => Object.fromEntries(cs.map((c) => [c.id, c.name]))).catch(() => ({}));
  const corpus = names[search.corpusId] || 'a corpus';
  setTitle(`Search on ${corpus}`);
  root.querySelector('h1').textContent = `Search on ${corpus}`;
  replace(document.getElementById('search-state'), stateBadge(search.state));
  document.getElementById('stat-trials').textContent = String(search.trialsStarted);
  document.getElementById('stat-budget').textContent = `${search.budgetMinutes} minutes`;
  document.getElementById('stat-started').textContent = search.startedUtc ? fmtDate(search.startedUtc) : 'waiting for a worker';
  document.getElementById('stat-rungs').textContent = (search.rungs || []).join(', ');
  const best = search.best;
  document.getElementById('best-summary').textContent = best
    ? `Try ${best.id}${best.id === 0 ? ' (the recommended recipe)' : ''}: ${words(best)}; ${best.bestValidLogLikelihood.toFixed(3)} nats per step on validation music at epoch ${best.bestEpoch}.`
    : (search.state === 'failed' ? 'No try was measured.' : 'No try has been measured yet.');
  if (search.state === 'failed' && search.error) replace(message, h('div', { class: 'alert alert-error', role: 'alert' }, search.error));
  else if (search.stopReason) replace(message, h('p', { class: 'muted' }, `The search ended: ${search.stopReason}.`));
  const live = LIVE.includes(search.state);
  cancelButton.hidden = !live || search.cancelRequested;
  for (const [link, href] of [['generate-link', search.modelId ? `/generate?model=${search.modelId}` : null], ['model-link', search.modelId ? `/models/${search.modelId}` : null]]) {
    const a = document.getElementById(link);
    a.hidden = !href;
    if (href) a.href = href;
  }
  document.getElementById('curves-caption').textContent = drawCurves(document.getElementById('curves'), search.leaderboard, best ? best.id : -1);
  replace(document.getElementById('leaderboard'), leaderboard(search));
  if (live) setTimeout(load, 2000);
}

cancelButton.addEventListener('click', async () => {
  cancelButton.disabled = true;
  try {
    await request(`/api/searches/${id}/cancel`, { method: 'POST' });
    replace(message, h('p', { class: 'muted' }, 'Stopping: the tries in flight end, and the best one so far is kept as a model.'));
  } catch (error) {
    showError(message, error);
  } finally {
    cancelButton.disabled = false;
  }
});

load();
