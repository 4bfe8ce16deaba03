import { getJson, upload, h, replace, showError, checkConstraints, fmtDate, fmtGrid, fmtNumber } from '../api.js';

const box = document.getElementById('models-list');
const form = document.getElementById('import-form');
const message = document.getElementById('import-message');

async function load() {
  try {
    const models = await getJson('/api/models');
    if (!models.length) {
      replace(box, h('p', { class: 'muted' }, 'No model yet: train one or import a file below.'));
      return;
    }
    replace(box, h('div', { class: 'table-scroll' }, h('table', {},
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Model'), h('th', { scope: 'col' }, 'Origin'), h('th', { scope: 'col' }, 'Size (V × H × U)'),
        h('th', { scope: 'col' }, 'Time step'), h('th', { scope: 'col', class: 'num' }, 'Epochs'),
        h('th', { scope: 'col', class: 'num' }, 'Final monitor'), h('th', { scope: 'col' }, 'Added'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
      h('tbody', {}, models.map((m) => h('tr', {},
        h('th', { scope: 'row' }, h('a', { href: `/models/${m.id}` }, m.name)),
        h('td', {}, h('span', { class: `badge badge-${m.origin}` }, m.origin)),
        h('td', {}, `${m.shape.visible} × ${m.shape.hidden} × ${m.shape.recurrent}`),
        h('td', {}, fmtGrid(m.timeGrid)),
        h('td', { class: 'num' }, String(m.epochsCompleted)),
        h('td', { class: 'num' }, m.finalMonitor != null ? fmtNumber(m.finalMonitor, 3) : '–'),
        h('td', {}, fmtDate(m.createdUtc)),
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
    location.href = `/models/${model.id}`;
  } catch (error) {
    showError(message, error, form);
  }
});

load();
