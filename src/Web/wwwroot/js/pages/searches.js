import { getJson, postJson, h, replace, showError, checkConstraints, fmtDate, stateBadge } from '../api.js';
import { fillCorpusSelect } from '../corpus-view.js';

const form = document.getElementById('search-form');
const message = document.getElementById('search-message');
const select = document.getElementById('corpusId');
const button = document.getElementById('search-button');
const list = document.getElementById('searches-list');


form.addEventListener('submit', async (e) => {
  e.preventDefault();
  replace(message);
  if (!checkConstraints(form)) return;
  button.disabled = true;
  try {
    const response = await postJson('/api/searches', { corpusId: select.value, budgetMinutes: Number(document.getElementById('budgetMinutes').value) });
    const search = await response.json();
    location.href = `/searches/${search.id}`;
  } catch (error) {
    showError(message, error, form);
  } finally {
    button.disabled = false;
  }
});

async function loadSearches(names) {
  try {
    const searches = await getJson('/api/searches');
    if (!searches.length) {
      replace(list, h('p', { class: 'muted' }, 'No search yet.'));
      return;
    }
    replace(list, h('div', { class: 'table-scroll' }, h('table', {},
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Search'), h('th', { scope: 'col' }, 'State'), h('th', { scope: 'col' }, 'Corpus'),
        h('th', { scope: 'col', class: 'num' }, 'Tries'), h('th', { scope: 'col', class: 'num' }, 'Best on valid'), h('th', { scope: 'col' }, 'Started'))),
      h('tbody', {}, searches.map((s) => h('tr', {},
        h('th', { scope: 'row' }, h('a', { href: `/searches/${s.id}` }, `${s.budgetMinutes} minutes`)),
        h('td', {}, stateBadge(s.state)),
        h('td', {}, names[s.corpusId] || 'a deleted corpus'),
        h('td', { class: 'num' }, String(s.trialsStarted)),
        h('td', { class: 'num' }, s.best && s.best.bestValidLogLikelihood != null ? s.best.bestValidLogLikelihood.toFixed(3) : '–'),
        h('td', {}, fmtDate(s.startedUtc || s.createdUtc))))))));
    if (searches.some((s) => s.state === 'running' || s.state === 'queued' || s.state === 'stalled')) setTimeout(() => loadSearches(names), 3000);
  } catch (error) {
    showError(list, error);
  }
}

fillCorpusSelect(select, message).then(loadSearches);
