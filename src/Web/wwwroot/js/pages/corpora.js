import { getJson, upload, h, replace, showError, alertBox, checkConstraints, clearFieldErrors, fmtDate, fmtBytes, applyOptions } from '../api.js';
import { renderCorpus, corpusSummaryLine } from '../corpus-view.js';
import { playCorpusFile } from '../player.js';
import { showDuplicateWarning } from '../duplicates.js';

const form = document.getElementById('upload-form');
const input = document.getElementById('corpus-files');
const zone = document.getElementById('drop-zone');
const chosen = document.getElementById('files-chosen');
const message = document.getElementById('upload-message');
// The bounds and defaults of the numeric fields come from the API (GET /api/corpora/options), never copied here.
const loadOptions = () => applyOptions(form, '/api/corpora/options').catch((error) => showError(message, error));
loadOptions();
const progressBlock = document.getElementById('upload-progress');
const progressBar = document.getElementById('upload-progress-bar');
const progressLabel = document.getElementById('upload-progress-label');
const result = document.getElementById('upload-result');
const button = document.getElementById('upload-button');
let files = [];

function setFiles(list) {
  files = [...list].filter((f) => /\.(mid|midi|kar|zip)$/i.test(f.name) || f.type === 'audio/midi' || f.type === 'application/zip');
  const skipped = list.length - files.length;
  const total = files.reduce((sum, f) => sum + f.size, 0);
  chosen.textContent = files.length
    ? `${files.length} file${files.length === 1 ? '' : 's'} chosen (${fmtBytes(total)}): ${files.slice(0, 6).map((f) => f.name).join(', ')}${files.length > 6 ? ', …' : ''}`
    : 'No file chosen.';
  if (skipped) chosen.textContent += ` ${skipped} file${skipped === 1 ? ' was' : 's were'} left out (not .mid, .midi, .kar or .zip).`;
  const nameInput = document.getElementById('corpus-name');
  if (!nameInput.value && files.length) nameInput.value = files.length === 1 ? files[0].name.replace(/\.[^.]+$/, '') : `Upload of ${new Date().toLocaleDateString()}`;
}

input.addEventListener('change', () => setFiles(input.files));
['dragenter', 'dragover'].forEach((type) => zone.addEventListener(type, (e) => { e.preventDefault(); zone.classList.add('dragging'); }));
['dragleave', 'drop'].forEach((type) => zone.addEventListener(type, () => zone.classList.remove('dragging')));
zone.addEventListener('drop', (e) => {
  e.preventDefault();
  if (e.dataTransfer && e.dataTransfer.files) setFiles(e.dataTransfer.files);
});

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  replace(message);
  if (!checkConstraints(form)) return;
  if (!files.length) {
    document.getElementById('files-error').textContent = 'Choose or drop at least one MIDI file or zip.';
    input.setAttribute('aria-invalid', 'true');
    zone.querySelector('label').focus();
    return;
  }
  const data = new FormData();
  data.append('name', document.getElementById('corpus-name').value.trim());
  for (const f of files) data.append('files', f, f.name);
  const fraction = document.getElementById('valid-fraction').value;
  const seed = document.getElementById('split-seed').value;
  if (fraction !== '') data.append('validFraction', fraction);
  if (seed !== '') data.append('splitSeed', seed);

  button.disabled = true;
  progressBlock.hidden = false;
  progressBar.value = 0;
  progressLabel.textContent = 'Uploading… 0 %';
  try {
    const corpus = await upload('/api/corpora', data, (fraction, loaded, total, done) => {
      progressBar.value = Math.round(fraction * 100);
      progressLabel.textContent = done ? 'Uploaded; checking the files…' : `Uploading… ${Math.round(fraction * 100)} % (${fmtBytes(loaded)} of ${fmtBytes(total)})`;
    });
    clearFieldErrors(form);
    progressBlock.hidden = true;
    replace(message, alertBox('success', `Corpus “${corpus.name}” created.`, corpusSummaryLine(corpus)));
    replace(result, h('div', { class: 'card' }, renderCorpus(corpus, {
      headingLevel: 'h2',
      actions: [
        h('a', { class: 'button', href: `/train?corpus=${corpus.id}` }, 'Train a model on it'),
        h('a', { class: 'button button-quiet', href: `/corpora/${corpus.id}` }, 'Open its page'),
      ],
      listen: (file, box) => playCorpusFile(corpus.id, file, box),
    })));
    form.reset();
    loadOptions(); // reset empties the fields the API's defaults filled
    setFiles([]);
    loadList();
    result.querySelector('h2').setAttribute('tabindex', '-1');
    const same = (corpus.sameFilesAs || []);
    const identical = same.filter((c) => c.identical);
    if (identical.length) {
      // Below the "created" message: the upload is kept until the person chooses.
      const warning = h('div');
      message.append(warning);
      showDuplicateWarning(warning, {
        what: 'corpus', newName: corpus.name, existing: identical, deletePath: `/api/corpora/${corpus.id}`,
        openPath: (id) => `/corpora/${id}`, onKeep: () => warning.remove(),
      });
      return;
    }
    if (same.length) {
      // Some files shared, not all: worth knowing, nothing to choose.
      message.append(alertBox('info', 'Some of these files are already in other corpora.', null,
        h('ul', {}, same.map((c) => h('li', {}, h('a', { href: `/corpora/${c.id}` }, c.name), `: ${c.sameFiles} of this upload's files (it has ${c.files})`)))));
    }
    result.querySelector('h2').focus();
  } catch (error) {
    progressBlock.hidden = true;
    showError(message, error, form);
  } finally {
    button.disabled = false;
  }
});

async function loadList() {
  const list = document.getElementById('corpora-list');
  try {
    const corpora = await getJson('/api/corpora');
    if (!corpora.length) {
      replace(list, h('p', { class: 'muted' }, 'No corpus yet: upload one above.'));
      return;
    }
    replace(list, h('ul', { class: 'item-list' }, corpora.map((c) => h('li', {},
      h('a', { href: `/corpora/${c.id}`, class: 'item-title' }, c.name),
      h('span', { class: 'muted' }, ` ${corpusSummaryLine(c)} · ${fmtDate(c.createdUtc)}`),
      h('a', { class: 'button button-small button-quiet', href: `/train?corpus=${c.id}`, 'aria-label': `Train a model on ${c.name}` }, 'Train')))));
  } catch (error) {
    showError(list, error);
  }
}

loadList();
