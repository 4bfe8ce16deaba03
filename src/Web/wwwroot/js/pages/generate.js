// Generate: one POST /api/generations per click (one sampling, one history row), then the piece's views from the
// stored generation: GET /api/generations/{id}/midi, /png and /audio (rendered, not sampled again).
import { getJson, request, h, replace, showError, checkConstraints, alertBox, fmtDate, fmtNumber, applyOptions } from '../api.js';
import { mountPlayer, rollFromPiece } from '../player.js';
import { newProgressId, followProgress } from '../request-progress.js';

const $ = (x) => document.getElementById(x);
const form = $('generate-form');
const message = $('generate-message');
const resultBody = $('result-body');
const button = $('generate-button');
const params = new URLSearchParams(location.search);
let audioStatus = { available: false, message: 'Checking whether the server can play music…' };
let models = [];
let urls = [];
let historyPrimer = null; // a primer taken from an earlier generation (base64), used instead of the file input

function randomSeed() {
  const [hi, lo] = crypto.getRandomValues(new Uint32Array(2));
  return String((hi & 0x1fffff) * 2 ** 32 + lo); // below 2^53: exact as a JS number too
}

$('new-seed').addEventListener('click', () => { $('seed').value = randomSeed(); $('seed').focus(); });

async function loadModels() {
  const select = $('modelId');
  try {
    models = await getJson('/api/models');
    if (!models.length) {
      select.replaceChildren(h('option', { value: '' }, 'No model yet'));
      replace(message, alertBox('info', 'No model yet.', null, h('p', {}, h('a', { href: '/train' }, 'Train one'), ' or ', h('a', { href: '/models' }, 'import one'), ' first.')));
      return;
    }
    const wanted = params.get('model');
    const pick = models.find((m) => m.id === wanted) || models.find((m) => m.origin === 'bundled') || models[0];
    select.replaceChildren(...models.map((m) => h('option', { value: m.id, selected: m.id === pick.id },
      `${m.name} (${m.origin}, ${m.epochsCompleted} epoch${m.epochsCompleted === 1 ? '' : 's'})`)));
  } catch (error) {
    showError(message, error);
  }
}

async function loadAudioStatus() {
  try {
    audioStatus = await getJson('/api/audio/status');
  } catch {
    audioStatus = { available: false, message: 'The server did not say whether it can play music; download the MIDI file instead.' };
  }
  const line = $('audio-status');
  if (audioStatus.available) {
    line.textContent = `Pieces play in the page (${audioStatus.message})`;
  } else {
    replace(line, alertBox('warning', 'Playing in the page is not available here.', audioStatus.message));
  }
}

function readFile(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

async function readForm() {
  const req = {
    modelId: $('modelId').value,
    steps: Number($('steps').value),
    gibbsK: Number($('gibbsK').value),
    tempo: Number($('tempo').value),
    program: Number($('program').value),
  };
  const file = $('primer').files[0];
  if (file) req.primer = await readFile(file);
  else if (historyPrimer) req.primer = historyPrimer;
  if (req.primer && $('includePrimer').checked) req.includePrimer = true;
  const melody = $('melody').files[0];
  if (melody) {
    req.melody = await readFile(melody);
    if ($('melodyOnTop').checked) req.melodyOnTop = true;
    delete req.steps; // the melody's length, unless the user shortens it below
    if ($('steps').value !== $('steps').defaultValue && $('steps').dataset.touched) req.steps = Number($('steps').value);
  }
  const temperature = Number($('temperature').value);
  if ($('temperature').value !== '' && temperature !== 1) req.temperature = temperature;
  if ($('key').value) req.key = $('key').value;
  if ($('transpose').value !== '' && Number($('transpose').value) !== 0) req.transpose = Number($('transpose').value);
  // A length in bars or seconds replaces Steps (the API refuses two lengths, and says so under the field).
  if ($('bars').value !== '') {
    req.bars = Number($('bars').value);
    if ($('timeSignature').value.trim()) req.timeSignature = $('timeSignature').value.trim();
    delete req.steps;
  } else if ($('timeSignature').value.trim()) {
    req.timeSignature = $('timeSignature').value.trim(); // without bars: the API explains what it is for
  }
  if ($('seconds').value !== '') {
    req.seconds = Number($('seconds').value);
    delete req.steps;
  }
  const count = Number($('count').value);
  if ($('count').value !== '' && count !== 1) req.count = count;
  const piece = $('fill').files[0];
  if (piece) {
    req.fill = await readFile(piece);
    if ($('gapStart').value !== '') req.gapStart = Number($('gapStart').value);
    if ($('gapEnd').value !== '') req.gapEnd = Number($('gapEnd').value);
    if ($('candidates').value !== '') req.candidates = Number($('candidates').value);
    delete req.steps; // the gap's length
  } else if ($('gapStart').value !== '' || $('gapEnd').value !== '') {
    if ($('gapStart').value !== '') req.gapStart = Number($('gapStart').value);
    if ($('gapEnd').value !== '') req.gapEnd = Number($('gapEnd').value);
  }
  return { req, seed: $('seed').value.trim() };
}

/** The JSON body, with the seed written as its digits (an unsigned 64-bit integer never goes through a JS number). */
function body(req, seed) {
  const json = JSON.stringify(req);
  return seed ? `${json.slice(0, -1)},"seed":${String(seed).replace(/\D/g, '')}}` : json;
}

async function post(req, seed, progressId) {
  return request('/api/generations', { method: 'POST', body: body(req, seed), headers: { 'Content-Type': 'application/json', 'X-Progress-Id': progressId } });
}

/** A view of a stored generation, as a blob (through request(), so an API key the page holds goes with it). */
async function view(id, name) {
  return (await request(`/api/generations/${id}/${name}`)).blob();
}

async function generate(req, seed) {
  button.disabled = true;
  button.textContent = 'Generating…';
  replace(message);
  replace(resultBody, h('p', { class: 'muted', role: 'status' }, 'The model is writing…'));
  // A long piece (thousands of steps, a large k) takes seconds: its progress and time left while it is written.
  const progressId = newProgressId();
  const progress = followProgress(progressId, $('generate-progress'), 'the generation');
  try {
    const created = await post(req, seed, progressId);
    progress.stop();
    // The header keeps every digit of the seed; the JSON body's number may not survive a JS number above 2^53.
    const usedSeed = created.headers.get('X-Seed') || seed;
    const generation = await created.json();
    if (generation.pieces) {
      await showPieces(req, generation);
      return;
    }
    // Through request(), like the audio: a server that wants its API key for reads gets it.
    const [midi, png] = await Promise.all([view(generation.id, 'midi'), view(generation.id, 'png')]);
    urls.forEach((u) => URL.revokeObjectURL(u));
    const midiUrl = URL.createObjectURL(midi);
    const pngUrl = URL.createObjectURL(png);
    urls = [midiUrl, pngUrl];
    const model = models.find((m) => m.id === req.modelId);
    const playerBox = h('div', { id: 'result-player' });
    for (const old of resultBody.querySelectorAll('.player')) old.destroy();
    const piece = generation.piece || {};
    replace(resultBody,
      h('p', {}, `${model ? model.name : 'Model'} · ${generation.request.steps} steps · k ${req.gibbsK} · seed `, h('span', { class: 'seed', id: 'result-seed' }, usedSeed)),
      describePiece(piece),
      playerBox,
      h('div', { class: 'button-row' },
        h('a', { class: 'button', id: 'download-midi', href: midiUrl, download: `rnnrbm-seed-${usedSeed}.mid` }, 'Download MIDI'),
        h('a', { class: 'button button-quiet', id: 'download-png', href: pngUrl, download: `rnnrbm-seed-${usedSeed}.png` }, 'Piano-roll image'),
        h('button', { type: 'button', class: 'button button-quiet', onclick: () => { $('seed').value = usedSeed; $('seed').focus(); } }, 'Keep this seed'),
        h('button', { type: 'button', class: 'button button-quiet', onclick: () => generate(req, randomSeed()) }, 'Vary (new seed)')));
    loadRecent();
    play(playerBox, generation, 'player', `Piano-roll player: the generated piece, seed ${usedSeed}`);
  } catch (error) {
    replace(resultBody, h('p', { class: 'muted' }, 'No piece this time.'));
    showError(message, error, form);
  } finally {
    progress.stop();
    button.disabled = false;
    button.textContent = 'Generate';
  }
}

/** Several pieces of one request side by side, each with its player, its file and a way to keep it. */
async function showPieces(req, generation) {
  const stored = await Promise.all(generation.pieces.map((p) => getJson(`/api/generations/${p.id}`)));
  const files = await Promise.all(generation.pieces.map((p) => view(p.id, 'midi')));
  const zip = await (await request(generation.zip)).blob();
  urls.forEach((u) => URL.revokeObjectURL(u));
  urls = [...files.map((f) => URL.createObjectURL(f)), URL.createObjectURL(zip)];
  const model = models.find((m) => m.id === req.modelId);
  for (const old of resultBody.querySelectorAll('.player')) old.destroy();
  const cards = generation.pieces.map((p, i) => {
    const box = h('div', { class: 'piece-player' });
    const card = h('article', { class: 'card piece-card', 'data-seed': String(p.seed), 'aria-label': `Piece ${i + 1}, seed ${p.seed}` },
      h('h3', {}, `Piece ${i + 1} · seed `, h('span', { class: 'seed' }, String(p.seed))),
      describePiece(stored[i].piece || {}, `piece-${i + 1}`),
      box,
      h('div', { class: 'button-row' },
        h('a', { class: 'button button-small', href: urls[i], download: `rnnrbm-seed-${p.seed}.mid` }, 'Download MIDI'),
        h('button', { type: 'button', class: 'button button-small button-quiet', onclick: () => keep(card, p.seed) }, 'Keep this one')));
    return { card, box, generation: stored[i], seed: p.seed };
  });
  replace(resultBody,
    h('p', {}, `${model ? model.name : 'Model'} · ${generation.pieces.length} pieces · ${generation.request.steps} steps each · k ${req.gibbsK}`),
    h('div', { class: 'button-row' }, h('a', { class: 'button', id: 'download-zip', href: urls[urls.length - 1], download: `rnnrbm-seed-${generation.pieces[0].seed}-${generation.pieces.length}-pieces.zip` }, 'Download all (zip)')),
    h('div', { class: 'pieces-side-by-side', id: 'result-pieces' }, ...cards.map((c) => c.card)));
  cards.forEach((c, i) => play(c.box, c.generation, `piece-audio-${i + 1}`, `Piano-roll player: piece ${i + 1}, seed ${c.seed}`));
  loadRecent();
}

/** Keeping a piece of several: its seed goes into the form (one piece at a time from here), the others stay in the history. */
function keep(card, seed) {
  for (const other of resultBody.querySelectorAll('.piece-card')) {
    other.classList.toggle('kept', other === card);
    other.querySelector('.kept-note')?.remove();
  }
  card.append(h('p', { class: 'kept-note', role: 'status' }, `Kept: seed ${seed} is in the Seed field, so Generate makes this piece again (with your changes); every piece stays in Recent generations.`));
  $('seed').value = String(seed);
  $('count').value = '1';
}

/** What the piece is, in a musician's words: its key, the steering used, and whether it copies the corpus. */
function describePiece(piece, id = 'result') {
  const parts = [];
  if (piece.key) parts.push(`Key: ${piece.key}${piece.transpose ? ` (moved ${piece.transpose > 0 ? 'up' : 'down'} ${Math.abs(piece.transpose)} semitone${Math.abs(piece.transpose) === 1 ? '' : 's'})` : ''}`);
  if (piece.melodySteps) parts.push('your melody kept on every step');
  if (piece.temperature && piece.temperature !== 1) parts.push(`temperature ${piece.temperature}`);
  const g = piece.gap;
  if (g) parts.push(`gap filled: steps ${g.start + 1}–${g.end}, candidate ${g.chosen + 1} of ${g.candidates} kept (it had a ${Math.round(100 * g.weights[g.chosen])}% chance)`);
  const lines = [h('p', { class: 'muted', id: `${id}-key` }, parts.join(' · '))];
  const n = piece.novelty;
  if (n) {
    const run = n.transposed.steps > n.exact.steps ? n.transposed : n.exact;
    const where = run.steps ? `${run.steps} steps from step ${run.pieceStart + 1} match ${run.file} from its step ${run.fileStart + 1}${run.transposition ? `, moved ${run.transposition > 0 ? '+' : ''}${run.transposition} semitones` : ''}` : 'not one step in common';
    lines.push(n.warning
      ? alertBox('warning', 'This piece copies its corpus.', `Its longest run shared with the training files: ${where} (more than ${n.threshold} steps).`)
      : h('p', { class: 'muted', id: `${id}-novelty` }, `New: its longest run shared with the training files is ${run.steps} step${run.steps === 1 ? '' : 's'} (${where}).`));
  }
  return h('div', {}, ...lines);
}

/** The piano-roll player of a stored generation: its roll from the piece's notes, its audio from the server's renderer. */
function play(box, generation, audioId, label) {
  mountPlayer(box, rollFromPiece(generation.piece), {
    audio: audioStatus.available ? () => view(generation.id, 'audio') : null,
    unavailable: 'Playing in the page is not available on this server; download the MIDI file to listen.',
    audioId,
    label,
  });
}

/** A generation of the history in the player above the list. */
async function listen(g) {
  const box = $('history-player');
  for (const old of box.querySelectorAll('.player')) old.destroy();
  replace(box, h('p', { class: 'muted', role: 'status' }, 'Loading the piece…'));
  box.scrollIntoView({ block: 'nearest' });
  try {
    const generation = await getJson(`/api/generations/${g.id}`);
    if (!generation.piece) {
      replace(box, alertBox('info', 'This piece was not kept.', 'It was made before the service kept pieces: Regenerate gives the same piece again.'));
      return;
    }
    replace(box, h('h3', {}, `${g.modelName || 'Deleted model'} · seed ${g.request.seed}`));
    const inner = h('div');
    box.append(inner);
    play(inner, generation, 'history-audio', `Piano-roll player: seed ${g.request.seed} from the history`);
  } catch (error) {
    replace(box);
    showError(box, error);
  }
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  if (!checkConstraints(form)) return;
  const { req, seed } = await readForm();
  generate(req, seed);
});

$('primer').addEventListener('change', () => { historyPrimer = null; });
$('steps').addEventListener('input', () => { $('steps').dataset.touched = 'true'; });

function dedupe(items) {
  // Generations recorded before this page made one per click came in pairs (MIDI and image, one seed): list each once.
  const seen = new Set();
  return items.filter((g) => {
    const { format, ...rest } = g.request || {};
    const key = JSON.stringify(rest);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

async function loadRecent() {
  const box = $('recent');
  try {
    const page = await getJson('/api/generations?limit=40');
    const items = dedupe(Array.isArray(page) ? page : page.items || []).slice(0, 12);
    if (!items.length) {
      replace(box, h('p', { class: 'muted' }, 'Nothing generated yet.'));
      return;
    }
    replace(box, h('div', { class: 'table-scroll' }, h('table', { class: 'recent-table' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'When'), h('th', { scope: 'col' }, 'Model'), h('th', { scope: 'col', class: 'num' }, 'Steps'),
        h('th', { scope: 'col', class: 'num' }, 'Gibbs k'), h('th', { scope: 'col', class: 'num' }, 'Tempo'), h('th', { scope: 'col' }, 'Seed'),
        h('th', { scope: 'col' }, 'Primer'), h('th', { scope: 'col', class: 'num' }, 'Notes'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
      h('tbody', {}, items.map((g) => h('tr', {},
        h('td', {}, fmtDate(g.createdUtc)),
        h('td', {}, g.modelName || h('span', { class: 'muted' }, 'deleted model')),
        h('td', { class: 'num' }, String(g.request.steps)),
        h('td', { class: 'num' }, String(g.request.gibbsK)),
        h('td', { class: 'num' }, fmtNumber(g.request.tempo)),
        h('td', { class: 'seed' }, String(g.request.seed)),
        h('td', {}, g.hasPrimer ? 'yes' : 'no'),
        h('td', { class: 'num' }, fmtNumber(g.noteSteps)),
        h('td', {}, h('div', { class: 'button-row' },
          h('button', { type: 'button', class: 'button button-small button-quiet', onclick: () => listen(g), 'aria-label': `Listen to seed ${g.request.seed}` }, 'Listen'),
          h('button', { type: 'button', class: 'button button-small', disabled: !g.modelName, onclick: () => again(g, false), 'aria-label': `Regenerate seed ${g.request.seed}` }, 'Regenerate'),
          h('button', { type: 'button', class: 'button button-small button-quiet', disabled: !g.modelName, onclick: () => again(g, true), 'aria-label': `Vary seed ${g.request.seed} with a new seed` }, 'Vary')))))))));
  } catch (error) {
    showError(box, error);
  }
}

/** Regenerate (same seed) or vary (new seed, the rest the same) a generation from the history. */
async function again(g, vary) {
  // The full request: lists leave the primer and the melody out.
  let request0;
  try { request0 = (await getJson(`/api/generations/${g.id}`)).request; } catch (error) { showError(message, error); return; }
  const { format, seed, includePrimer, ...rest } = request0;
  $('modelId').value = rest.modelId;
  $('steps').value = rest.steps;
  $('gibbsK').value = rest.gibbsK;
  $('tempo').value = rest.tempo;
  $('program').value = String(rest.program);
  $('primer').value = '';
  historyPrimer = rest.primer || null;
  $('includePrimer').checked = !rest.primer || Boolean(includePrimer);
  const newSeed = vary ? randomSeed() : String(seed);
  $('seed').value = newSeed;
  const req = { ...rest };
  if (includePrimer && rest.primer) req.includePrimer = true;
  if (!req.primer) delete req.primer;
  $('result-title').scrollIntoView({ block: 'start', behavior: 'smooth' });
  generate(req, newSeed);
}

// The bounds and defaults of every field come from the API (the page copies none).
applyOptions(form, '/api/generations/options').catch((error) => showError(message, error));
loadModels();
loadAudioStatus();
loadRecent();
