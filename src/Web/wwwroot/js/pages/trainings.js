import { getJson, h, replace, showError, fmtDate, fmtDuration, stateBadge } from '../api.js';

const box = document.getElementById('trainings-list');

async function load() {
  try {
    const result = await getJson('/api/trainings');
    const trainings = Array.isArray(result) ? result : (result.items || []);
    const corpora = await getJson('/api/corpora').catch(() => []);
    const names = Object.fromEntries(corpora.map((c) => [c.id, c.name]));
    if (!trainings.length) {
      replace(box, h('p', { class: 'muted' }, 'No training yet. ', h('a', { href: '/train' }, 'Start one.')));
      return;
    }
    replace(box, h('div', { class: 'table-scroll' }, h('table', {},
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Training'), h('th', { scope: 'col' }, 'State'), h('th', { scope: 'col' }, 'Corpus'),
        h('th', { scope: 'col', class: 'num' }, 'Epoch'), h('th', { scope: 'col', class: 'num' }, 'Time left'), h('th', { scope: 'col' }, 'Started'))),
      h('tbody', {}, trainings.map((t) => h('tr', {},
        h('th', { scope: 'row' }, h('a', { href: `/trainings/${t.id}` }, describe(t))),
        h('td', {}, stateBadge(t.state)),
        h('td', {}, names[t.corpusId] || '–'),
        h('td', { class: 'num' }, `${t.epoch} / ${t.epochs}`),
        h('td', { class: 'num' }, t.etaSeconds != null ? fmtDuration(t.etaSeconds) : '–'),
        h('td', {}, fmtDate(t.startedUtc || t.createdUtc))))))));
    if (trainings.some((t) => t.state === 'running' || t.state === 'queued' || t.state === 'stalled')) setTimeout(load, 3000);
  } catch (error) {
    showError(box, error);
  }
}

function describe(t) {
  const s = t.settings || {};
  return s.hidden ? `H ${s.hidden}, U ${s.recurrent}, ${t.epochs} epochs` : `Training ${String(t.id).slice(0, 8)}`;
}

load();
