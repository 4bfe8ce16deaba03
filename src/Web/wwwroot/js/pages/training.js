// A training's page: drawn from GET /api/trainings/{id}, then kept live by the progress hub (SignalR), whose
// messages carry the same fields. Falls back to polling the API when the hub cannot be reached.
import { getJson, request, h, replace, showError, alertBox, fmtNumber, fmtDuration, fmtGrid, setTitle, serverConnection } from '../api.js';
import { drawCurve } from '../curve.js';

const root = document.getElementById('training');
const id = root.dataset.id;
const $ = (x) => document.getElementById(x);
const message = $('training-message');
const live = $('live-status');
const cancelButton = $('cancel-button');
const finished = (state) => state === 'succeeded' || state === 'failed' || state === 'cancelled';
let current = null;
let connection = null;
let pollTimer = null;
let shownFraction = 0;
let corpusName = null;

function render(t) {
  if (!t) return;
  current = { ...(current || {}), ...t };
  t = current;
  setTitle(`Training · ${t.state}`);
  const badge = $('training-state');
  badge.textContent = t.state;
  badge.className = `badge badge-${t.state}`;
  root.dataset.state = t.state;

  const p = t.progress || {};
  // The bar and its label say one figure, the share of the whole training done; it never goes back (a worker that
  // takes over redoes part of an epoch, and a late message may carry an older figure).
  const fraction = Number.isFinite(p.fraction) ? p.fraction : (t.epochs ? t.epoch / t.epochs : 0);
  shownFraction = finished(t.state) && t.state === 'succeeded' ? 1 : Math.max(shownFraction, Math.min(1, fraction));
  const percent = `${Math.floor(100 * shownFraction)} %`;
  const inFlight = !finished(t.state) && p.epochFramesTotal > 0 && t.epoch < t.epochs;
  const epochShare = inFlight ? `, this epoch ${Math.floor(100 * p.epochFramesDone / p.epochFramesTotal)} % done` : '';
  $('epoch-label').textContent = finished(t.state)
    ? `Finished: ${t.epoch} of ${t.epochs} epochs`
    : t.state === 'queued' ? 'Waiting for a worker…'
      : t.state === 'stalled' ? `Worker lost after epoch ${t.epoch}, waiting for another…`
      : `Epoch ${Math.min(t.epoch + 1, t.epochs)} of ${t.epochs}: ${percent} of the training${epochShare}`;
  const bar = $('epoch-progress');
  bar.value = shownFraction;
  bar.setAttribute('aria-valuetext', `${percent} of the training`);

  const history = t.history || [];
  const last = history[history.length - 1];
  $('stat-epoch').textContent = `${t.epoch} / ${t.epochs}`;
  $('stat-train').textContent = last && last.train != null ? fmtNumber(last.train, 3) : '–';
  $('stat-valid').textContent = last && last.valid != null ? fmtNumber(last.valid, 3) : (last ? 'no valid files' : '–');
  $('stat-fps').textContent = t.framesPerSecond != null ? fmtNumber(t.framesPerSecond) : '–';
  $('stat-eta').textContent = finished(t.state) ? 'done'
    : !serverConnection.online ? 'unknown (no connection)'
      : t.etaSeconds != null ? fmtDuration(t.etaSeconds) : 'measuring…';
  $('stat-backend').textContent = t.backend || '–';
  const stopping = t.stopping;
  const validated = history.filter((e) => e.validLogLikelihood != null);
  const lastValid = validated[validated.length - 1];
  $('stat-valid-ll').textContent = lastValid ? `${fmtNumber(lastValid.validLogLikelihood, 3)} (epoch ${lastValid.epoch})` : (stopping && !stopping.validated ? 'not measured' : '–');
  $('stat-best').textContent = stopping && stopping.bestEpoch ? `${stopping.bestEpoch} (${fmtNumber(stopping.bestValidLogLikelihood, 3)})` : '–';
  $('curve-caption').textContent = drawCurve($('curve'), history, stopping && stopping.bestEpoch);
  renderStopping(stopping);

  cancelButton.hidden = finished(t.state);
  cancelButton.disabled = !!t.cancelRequested;
  cancelButton.textContent = t.cancelRequested ? 'Cancelling…' : 'Cancel training';
  const modelLink = $('model-link');
  const generateLink = $('generate-link');
  modelLink.hidden = generateLink.hidden = !t.modelId;
  if (t.modelId) {
    modelLink.href = `/models/${t.modelId}`;
    generateLink.href = `/generate?model=${t.modelId}`;
  }

  if (t.state === 'failed') {
    replace(message, alertBox('error', 'The training failed.', t.error || 'No reason was recorded.'));
  } else if (t.state === 'cancelled') {
    replace(message, alertBox('warning', 'The training was cancelled.', t.modelId ? 'A model was kept from what it had learned.' : ''));
  } else if (t.state === 'succeeded') {
    replace(message, alertBox('success', 'The training finished.', 'Its model is ready: open it or generate from it.'));
  } else if (!message.querySelector('.alert-error')) {
    replace(message);
  }
  if (t.settings) renderSettings(t);
  if (finished(t.state)) stopLive();
}

function renderStopping(stopping) {
  if (!stopping) return;
  const source = stopping.validationSource === 'held-out' ? 'a tenth of the training files, held out' : 'the validation files';
  const summary = stopping.stopReason
    ? `Stopped: ${stopping.stopReason}. The model keeps epoch ${stopping.keptEpoch}.`
    : stopping.validated
      ? `Measured on ${fmtNumber(stopping.validationSteps)} steps of ${source}, every ${stopping.validateEvery} epoch${stopping.validateEvery === 1 ? '' : 's'}; ` +
        (stopping.patience ? `stops after ${stopping.patience} epochs without improvement.` : 'runs every planned epoch.')
      : 'No validation data: every planned epoch runs and the last is kept.';
  $('stopping-summary').textContent = summary;
  replace($('stopping-events'), (stopping.events || []).filter((e) => e.kind !== 'note')
    .map((e) => h('li', {}, `After epoch ${e.epoch}: ${e.message}`)));
}

function renderSettings(t) {
  const s = t.settings;
  const grid = s.stepsPerQuarter ? fmtGrid({ kind: 'beats', stepsPerQuarter: s.stepsPerQuarter }) : s.dt ? fmtGrid({ kind: 'seconds', seconds: s.dt }) : fmtGrid(s.timeGrid);
  const items = [
    ['Corpus', h('a', { href: `/corpora/${t.corpusId}`, id: 'corpus-link' }, corpusName || 'its corpus')],
    ['Time step', grid],
    ['Pitches', `MIDI ${s.lowestPitch}–${s.highestPitch}`],
    ['Hidden / recurrent', `${s.hidden} / ${s.recurrent}`],
    ['Learning rate', String(s.learningRate)],
    ['Learning-rate decay', s.learningRateDecay && s.learningRateDecay !== 1 ? `× ${s.learningRateDecay} per epoch` : 'none'],
    ['Momentum', String(s.momentum ?? 0)],
    ['Gradient clipping', s.clipNorm ? String(s.clipNorm) : 'off'],
    ['Batch size', String(s.batchSize)],
    ['CD-k', String(s.cdK)],
    ['Recipe', s.recipe === 'seed' ? 'the tutorial\'s' : s.recipe === 'default' ? 'recommended' : (s.recipe || '–')],
    ['Recurrence', s.recurrence === 'gru' ? 'GRU' : 'tanh'],
    ['Initial state u0', s.learnU0 ? 'learned' : '0'],
    ['State across chunks', s.carryState ? 'carried' : 'restarts from u0'],
    ['Random transposition', s.transpose ? `± ${s.transpose} semitones` : 'off'],
    ['Pretraining', (s.rbmPretrainEpochs || s.rnnPretrainEpochs) ? `RBM ${s.rbmPretrainEpochs || 0}, RNN ${s.rnnPretrainEpochs || 0} epochs` : 'none'],
    ['Epochs', `at most ${s.epochs}`],
    ['Early stopping', s.patience ? `after ${s.patience} epochs without improvement` : 'off'],
    ['Model keeps', s.keepBest === false ? 'the last epoch' : 'the best epoch on validation'],
    ['Seed', String(s.seed)],
  ];
  replace($('training-settings'), items.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))));
  if (corpusName === null) {
    corpusName = '';
    getJson(`/api/corpora/${t.corpusId}`).then((c) => {
      corpusName = c.name;
      const link = $('corpus-link');
      if (link) link.textContent = c.name;
    }).catch(() => {
      corpusName = 'its corpus (deleted)';
      const link = $('corpus-link');
      if (link) link.textContent = corpusName;
    });
  }
}

function stopLive() {
  live.classList.remove('live');
  live.textContent = 'This training has ended.';
  if (pollTimer) { clearInterval(pollTimer); pollTimer = null; }
  if (connection) { const c = connection; connection = null; c.stop().catch(() => {}); }
}

async function refresh() {
  try {
    render(await getJson(`/api/trainings/${id}`));
  } catch (error) {
    // An unreachable server is said once, at the top of the page (layout.js), not by every poll.
    if (error.status !== 0) showError(message, error);
  }
}

function poll() {
  if (pollTimer || finished(current && current.state)) return;
  if (serverConnection.online) live.textContent = 'Updating every 2 seconds (the live connection is unavailable).';
  else showDisconnected();
  pollTimer = setInterval(refresh, 2000);
}

async function connect() {
  if (!window.signalR) { poll(); return; }
  const c = new signalR.HubConnectionBuilder()
    .withUrl('/hubs/progress')
    .withAutomaticReconnect()
    .configureLogging(signalR.LogLevel.Warning)
    .build();
  connection = c;
  c.on('progress', render);
  c.onreconnecting(() => {
    live.classList.remove('live');
    live.textContent = 'Connection lost: reconnecting…';
    $('stat-eta').textContent = 'unknown (no connection)';
    serverConnection.probe();
  });
  c.onreconnected(() => subscribe().catch(() => {}));
  c.onclose(() => {
    if (connection !== c) return; // an older connection, replaced on purpose
    connection = null;
    serverConnection.probe();
    poll();
  });
  try {
    await c.start();
    if (pollTimer) { clearInterval(pollTimer); pollTimer = null; }
    await subscribe();
  } catch {
    if (connection === c) connection = null;
    poll();
  }
}

async function subscribe() {
  if (!connection) return;
  render(await connection.invoke('Subscribe', id));
  serverConnection.answered();
  if (connection && !finished(current && current.state)) {
    live.classList.add('live');
    live.textContent = 'Live: this page updates as the model learns.';
  }
}

// The server gone: say so, and claim nothing live (no "Live", no stale time left) until it answers again.
function showDisconnected() {
  if (finished(current && current.state)) return;
  live.classList.remove('live');
  live.textContent = 'Not connected: the server cannot be reached. This page resumes by itself when it is back.';
  $('stat-eta').textContent = 'unknown (no connection)';
}
document.addEventListener('rnnrbm:offline', showDisconnected);
document.addEventListener('rnnrbm:online', async () => {
  if (finished(current && current.state)) return;
  await refresh();
  if (finished(current && current.state)) return;
  if (connection && connection.state === 'Connected') {
    await subscribe().catch(() => {});
    return;
  }
  // Still waiting for its next automatic retry, or given up: a fresh connection now, not in up to 30 s.
  if (connection) { const old = connection; connection = null; old.stop().catch(() => {}); }
  connect();
});

cancelButton.addEventListener('click', async () => {
  if (!confirm('Cancel this training? The epochs learned so far are kept as a model.')) return;
  cancelButton.disabled = true;
  try {
    await request(`/api/trainings/${id}/cancel`, { method: 'POST' });
    render({ cancelRequested: true });
    if (!connection) refresh();
  } catch (error) {
    cancelButton.disabled = false;
    showError(message, error);
  }
});

(async () => {
  try {
    render(await getJson(`/api/trainings/${id}`));
  } catch (error) {
    showError(message, error);
    $('training-state').textContent = 'unknown';
    return;
  }
  if (!finished(current.state)) connect();
})();
