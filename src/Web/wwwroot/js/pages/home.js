import { getJson, h, replace, showError, fmtDate, fmtGrid, stateBadge } from '../api.js';
import { corpusSummaryLine } from '../corpus-view.js';

const list = (x) => (Array.isArray(x) ? x : (x && x.items) || []);

function summary(container, count, [one, many], items, empty) {
  replace(container,
    h('p', {}, h('span', { class: 'big-number' }, String(count)), ` ${count === 1 ? one : many}`),
    items.length ? h('ul', { class: 'item-list' }, items) : h('p', { class: 'muted' }, empty));
}

async function corpora() {
  const box = document.getElementById('home-corpora');
  try {
    const all = list(await getJson('/api/corpora'));
    summary(box, all.length, ['corpus', 'corpora'], all.slice(0, 3).map((c) => h('li', {},
      h('a', { href: `/corpora/${c.id}`, class: 'item-title' }, c.name), h('span', { class: 'muted' }, corpusSummaryLine(c)))),
    'None yet.');
    box.append(h('a', { class: 'button button-quiet button-small', href: '/corpora' }, 'Upload a corpus'));
  } catch (error) { showError(box, error); }
}

async function trainings() {
  const box = document.getElementById('home-trainings');
  try {
    const all = list(await getJson('/api/trainings'));
    summary(box, all.length, ['training', 'trainings'], all.slice(0, 3).map((t) => h('li', {},
      h('a', { href: `/trainings/${t.id}`, class: 'item-title' }, `Epoch ${t.epoch} of ${t.epochs}`), stateBadge(t.state),
      h('span', { class: 'muted' }, fmtDate(t.createdUtc)))),
    'None yet.');
    box.append(h('a', { class: 'button button-quiet button-small', href: '/train' }, 'Start a training'));
  } catch (error) { showError(box, error); }
}

async function models() {
  const box = document.getElementById('home-models');
  const demo = document.getElementById('demo-model');
  try {
    const all = list(await getJson('/api/models'));
    summary(box, all.length, ['model', 'models'], all.slice(0, 3).map((m) => h('li', {},
      h('a', { href: `/models/${m.id}`, class: 'item-title' }, m.name), h('span', { class: `badge badge-${m.origin}` }, m.origin))),
    'None yet.');
    // The demo corpus is folk tunes: offer the best Nottingham model (docs/results.md), then any bundled one, then the newest.
    const bundled = all.filter((m) => m.origin === 'bundled');
    const pick = bundled.find((m) => m.name === 'Nottingham, default recipe') || bundled.find((m) => m.name === 'Nottingham tuned')
      || bundled[0] || all[0];
    if (!pick) {
      replace(demo, h('p', {}, 'No model yet. ', h('a', { href: '/corpora' }, 'Upload a corpus'), ' and train one to start generating.'));
      return;
    }
    replace(demo,
      h('p', {}, h('strong', {}, pick.name), ' ', h('span', { class: `badge badge-${pick.origin}` }, pick.origin)),
      h('p', { class: 'muted' }, `${pick.shape.visible} pitches (MIDI ${pick.pitchRange.lowest}–${pick.pitchRange.highest}), ` +
        `${pick.shape.hidden} hidden and ${pick.shape.recurrent} recurrent units, ${fmtGrid(pick.timeGrid)}, ` +
        `${pick.epochsCompleted} epoch${pick.epochsCompleted === 1 ? '' : 's'} of training.`),
      h('div', { class: 'button-row' },
        h('a', { class: 'button', href: `/generate?model=${pick.id}` }, 'Generate from it'),
        h('a', { class: 'button button-quiet', href: `/models/${pick.id}` }, 'About this model')));
  } catch (error) { showError(box, error); showError(demo, error); }
}

corpora();
trainings();
models();
