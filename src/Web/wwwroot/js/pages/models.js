import { getJson, upload, h, replace, showError, checkConstraints, fmtDate, fmtGrid } from '../api.js';
import { qualityShort } from '../evaluations.js';
import { showDuplicateWarning } from '../duplicates.js';

const box = document.getElementById('models-list');
const form = document.getElementById('import-form');
const message = document.getElementById('import-message');

async function load() {
  try {
    const [models, evaluations] = await Promise.all([getJson('/api/models'), getJson('/api/evaluations').catch(() => [])]);
    // Each model's newest succeeded evaluation (the API lists newest first): its quality in a few words.
    const latest = {};
    for (const e of evaluations) if (e.state === 'succeeded' && !latest[e.modelId]) latest[e.modelId] = e;
    if (!models.length) {
      replace(box, h('p', { class: 'muted' }, 'No model yet: train one or import a file below.'));
      return;
    }
    replace(box, h('div', { class: 'table-scroll' }, h('table', { class: 'cards' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Model'), h('th', { scope: 'col' }, 'Origin'), h('th', { scope: 'col' }, 'Size (V × H × U)'),
        h('th', { scope: 'col' }, 'Time step'), h('th', { scope: 'col', class: 'num' }, 'Epochs'),
        h('th', { scope: 'col' }, 'Quality ', h('a', { class: 'term', href: '/glossary#quality', title: 'Next-chord accuracy against repeating the last chord (accuracy vs baselineAccuracy), from the newest evaluation. The tutorial\'s "final monitor" is on each model\'s page.' }, '?', h('span', { class: 'visually-hidden' }, ' (glossary: quality line)'))),
        h('th', { scope: 'col' }, 'Added'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
      h('tbody', {}, models.map((m) => h('tr', {},
        h('th', { scope: 'row' }, h('a', { href: `/models/${m.id}` }, m.name)),
        h('td', { 'data-label': 'Origin' }, h('span', { class: `badge badge-${m.origin}` }, m.origin)),
        h('td', { 'data-label': 'Size (V × H × U)' }, `${m.shape.visible} × ${m.shape.hidden} × ${m.shape.recurrent}`),
        h('td', { 'data-label': 'Time step' }, fmtGrid(m.timeGrid)),
        h('td', { class: 'num', 'data-label': 'Epochs' }, String(m.epochsCompleted)),
        h('td', { class: 'quality-cell', 'data-label': 'Quality' }, qualityShort(latest[m.id])
          || ['not measured yet ', h('a', { class: 'button button-small button-quiet', href: `/models/${m.id}#evaluations`, 'aria-label': `Measure ${m.name}` }, 'Measure')]),
        h('td', { 'data-label': 'Added' }, fmtDate(m.createdUtc)),
        h('td', {}, h('a', { class: 'button button-small button-quiet', href: `/generate?model=${m.id}`, 'aria-label': `Generate from ${m.name}` }, 'Generate'))))))));
  } catch (error) {
    showError(box, error);
  }
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  replace(message);
  if (!checkConstraints(form)) return;
  const data = new FormData();
  const file = document.getElementById('model-file').files[0];
  data.append('file', file, file.name);
  const name = document.getElementById('model-name').value.trim();
  if (name) data.append('name', name);
  try {
    const model = await upload('/api/models', data);
    if (model.sameContentAs && model.sameContentAs.length) {
      load();
      showDuplicateWarning(message, {
        what: 'model', newName: model.name, existing: model.sameContentAs, deletePath: `/api/models/${model.id}`,
        openPath: (id) => `/models/${id}`, onKeep: () => { location.href = `/models/${model.id}`; },
      });
      return;
    }
    location.href = `/models/${model.id}`;
  } catch (error) {
    showError(message, error, form);
  }
});

load();
