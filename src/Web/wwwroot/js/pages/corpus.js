import { getJson, request, h, replace, showError, setTitle } from '../api.js';
import { renderCorpus } from '../corpus-view.js';
import { mountPlayer, rollFromCorpusFile } from '../player.js';

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
      listen,
    }));
  } catch (error) {
    replace(root, h('h1', {}, 'Corpus'));
    const box = h('div');
    root.append(box);
    showError(box, error);
  }
}

/** "Listen to my upload": the file's roll and its audio, in the player above the file report. */
async function listen(file, box) {
  replace(box, h('h3', {}, file.fileName), h('p', { class: 'muted', role: 'status' }, 'Loading the piano-roll…'));
  box.scrollIntoView({ block: 'nearest' });
  try {
    const [roll, audioStatus] = await Promise.all([
      getJson(`/api/corpora/${id}/files/${file.id}/roll`),
      getJson('/api/audio/status').catch(() => ({ available: false, message: '' })),
    ]);
    const inner = h('div');
    replace(box, h('h3', {}, file.fileName), inner);
    mountPlayer(inner, rollFromCorpusFile(roll), {
      audio: audioStatus.available ? async () => (await request(`/api/corpora/${id}/files/${file.id}/audio`)).blob() : null,
      unavailable: `Playing in the page is not available on this server. ${audioStatus.message || ''}`,
      audioId: 'file-audio',
      label: `Piano-roll player: ${file.fileName}`,
    });
  } catch (error) {
    replace(box);
    showError(box, error);
  }
}

load();
