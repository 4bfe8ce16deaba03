import { getJson, request, h, replace, showError, setTitle } from '../api.js';
import { renderCorpus } from '../corpus-view.js';
import { playCorpusFile } from '../player.js';

const root = document.getElementById('corpus');
const id = root.dataset.id;

async function load() {
  try {
    const corpus = await getJson(`/api/corpora/${id}`);
    setTitle(corpus.name);
    const message = h('div', { 'aria-live': 'polite' });
    const remove = h('button', { type: 'button', class: 'button button-danger' }, 'Delete');
    remove.addEventListener('click', async () => {
      if (!confirm(`Delete the corpus “${corpus.name}”? Models trained on it are kept.`)) return;
      try {
        await request(`/api/corpora/${id}`, { method: 'DELETE' });
        location.href = '/corpora';
      } catch (error) {
        showError(message, error);
      }
    });
    replace(root, message, renderCorpus(corpus, {
      actions: [h('a', { class: 'button', href: `/train?corpus=${id}` }, 'Train a model on it'), remove],
      listen: (file, box) => playCorpusFile(id, file, box),
    }));
  } catch (error) {
    replace(root, h('h1', {}, 'Corpus'));
    const box = h('div');
    root.append(box);
    showError(box, error);
  }
}

load();
