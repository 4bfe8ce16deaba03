// A model's evaluations on its page: the form that starts one (POST /api/evaluations), the list of the model's
// evaluations (GET /api/evaluations?modelId=), each queued or running one polled (GET /api/evaluations/{id}) about
// once a second until it ends, and its Cancel button (POST /api/evaluations/{id}/cancel).
import { getJson, request, h, replace, showError, checkConstraints, clearFieldErrors, alertBox, jsonWithInteger, applyOptions, fmtDate, fmtNumber, fmtDuration, stateBadge } from './api.js';

const POLL_MS = 1000;
const RETRY_MS = 5000;
const finished = (state) => state === 'succeeded' || state === 'failed' || state === 'cancelled';
const $ = (x) => document.getElementById(x);

/** Shows the evaluations section of model `modelId`; `onSucceeded(evaluation)` runs when one of them succeeds. */
export function mountEvaluations(modelId, onSucceeded) {
  const section = $('evaluations');
  const form = $('evaluation-form');
  const message = $('evaluation-message');
  const corpusSelect = $('eval-corpusId');
  const button = $('evaluation-button');
  const list = $('evaluations-list');
  const announcer = $('evaluations-announcer');
  let corpusNames = {};
  let corpusCounts = {};
  const splitSelect = $('eval-split');

  // Uploaded corpora often have no test split: choose the first of test, valid, train that has files.
  function defaultSplit() {
    const counts = corpusCounts[corpusSelect.value];
    if (!counts) return;
    const first = ['test', 'valid', 'train'].find((name) => counts[name] > 0);
    if (first && !(counts[splitSelect.value] > 0)) splitSelect.value = first;
  }
  corpusSelect.addEventListener('change', defaultSplit);
  let tbody = null;

  section.hidden = false;

  async function loadCorpora() {
    try {
      const corpora = await getJson('/api/corpora');
      corpusNames = Object.fromEntries(corpora.map((c) => [c.id, c.name]));
      corpusCounts = Object.fromEntries(corpora.map((c) => [c.id, c.fileCounts]));
      const counts = (c) => `${c.fileCounts.test} test, ${c.fileCounts.valid} valid, ${c.fileCounts.train} train files`;
      corpusSelect.replaceChildren(h('option', { value: '' }, corpora.length ? 'Choose a corpus…' : 'No corpus yet'),
        ...corpora.map((c) => h('option', { value: c.id }, `${c.name} (${counts(c)})`)));
      if (corpora.length === 1) corpusSelect.value = corpora[0].id;
      defaultSplit();
      if (!corpora.length) {
        replace(message, alertBox('info', 'No corpus yet.', null, h('p', {}, h('a', { href: '/corpora' }, 'Upload MIDI files'), ' to evaluate on.')));
      }
    } catch (error) {
      showError(message, error);
    }
  }

  async function loadList() {
    let evaluations;
    try {
      evaluations = await getJson(`/api/evaluations?modelId=${encodeURIComponent(modelId)}`);
    } catch (error) {
      replace(list);
      showError(list, error);
      return;
    }
    tbody = null;
    replace(list, h('p', { class: 'muted' }, 'No evaluation of this model yet.'));
    // Newest first, as the API lists them.
    for (const e of evaluations) addRow(e, 'end');
  }

  function table(body) {
    return h('div', { class: 'table-scroll' }, h('table', { 'aria-labelledby': 'evaluations-list-title' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Requested'), h('th', { scope: 'col' }, 'Data'), h('th', { scope: 'col' }, 'Settings'),
        h('th', { scope: 'col' }, 'State'), h('th', { scope: 'col', class: 'num' }, 'Log-likelihood'),
        h('th', { scope: 'col', class: 'num' }, 'Baseline LL'),
        h('th', { scope: 'col', class: 'num' }, 'Accuracy'), h('th', { scope: 'col', class: 'num' }, 'Deterministic'),
        h('th', { scope: 'col', class: 'num' }, 'Baseline acc.'), h('th', { scope: 'col', class: 'num' }, 'Time'),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
      body));
  }

  // A row is built once and updated in place, so that a focused Cancel button keeps its focus while the row changes.
  function addRow(e, where) {
    if (!tbody) {
      tbody = h('tbody', {});
      replace(list, table(tbody));
    }
    const state = h('td', { class: 'state' });
    const ll = h('td', { class: 'num ll' });
    const acc = h('td', { class: 'num acc' });
    const baseLl = h('td', { class: 'num baseline-ll' });
    const accDet = h('td', { class: 'num acc-deterministic' });
    const baseAcc = h('td', { class: 'num baseline-acc' });
    const settings = h('td', {});
    const time = h('td', { class: 'num seconds' });
    const data = h('td', {});
    const cancel = h('button', { type: 'button', class: 'button button-danger button-small' }, 'Cancel');
    const tr = h('tr', { dataset: { id: e.id } },
      h('td', {}, fmtDate(e.createdUtc)), data,
      settings, state, ll, baseLl, acc, accDet, baseAcc, time, h('td', {}, cancel));
    let current = e;
    let timer = null;

    cancel.addEventListener('click', async () => {
      cancel.disabled = true;
      cancel.textContent = 'Cancelling…';
      try {
        update(await (await request(`/api/evaluations/${current.id}/cancel`, { method: 'POST' })).json());
      } catch (error) {
        cancel.disabled = false;
        cancel.textContent = 'Cancel';
        showError(message, error);
      }
    });

    function update(next) {
      const was = current.state;
      current = next;
      data.textContent = `${corpusNames[next.corpusId] || 'a deleted corpus'} · ${next.split}`;
      const progress = Math.round(100 * (next.progress || 0));
      const bar = next.state === 'running'
        ? h('progress', { max: '1', value: String(next.progress || 0), 'aria-label': `Progress of the evaluation of ${fmtDate(next.createdUtc)}`, 'aria-valuetext': `${progress} %` })
        : null;
      replace(state, stateBadge(next.state), bar, next.state === 'running' ? ` ${progress} %` : null,
        next.state === 'failed' ? h('p', { class: 'reason' }, next.error || 'No reason was recorded.') : null,
        next.state === 'cancelled' ? h('p', { class: 'muted' }, `Cancelled at ${progress} %; the model's metrics are unchanged.`) : null);
      const schedule = next.aisSteps != null ? `sm ${fmtNumber(next.aisSteps)} steps` : `a converged schedule (±${next.aisTolerance} nats)`;
      settings.textContent = `AIS ${fmtNumber(next.aisRuns)} runs × ${schedule}, ${fmtNumber(next.accSamples)} accuracy samples, seed ${next.seed}`;
      const convergence = next.aisConverged == null ? null
        : h('p', { class: next.aisConverged ? 'muted' : 'reason' }, next.aisConverged
          ? `converged: the last doubling moved it ${fmtNumber(next.aisShift, 4)}`
          : `NOT converged (last doubling ${fmtNumber(next.aisShift, 4)}): it reads too high`);
      replace(ll, next.logLikelihood != null ? `${fmtNumber(next.logLikelihood, 4)} ± ${fmtNumber(next.standardError, 4)}` : '–', convergence,
        next.aisSchedule ? h('p', { class: 'muted' }, next.aisSchedule) : null);
      baseLl.textContent = next.baselineLogLikelihood != null ? fmtNumber(next.baselineLogLikelihood, 4) : '–';
      if (next.baselineNote) baseLl.title = next.baselineNote;
      acc.textContent = next.accuracy != null ? `${fmtNumber(100 * next.accuracy, 1)} %` : '–';
      accDet.textContent = next.accuracyDeterministic != null ? `${fmtNumber(100 * next.accuracyDeterministic, 1)} %` : '–';
      baseAcc.textContent = next.baselineAccuracy != null ? `${fmtNumber(100 * next.baselineAccuracy, 1)} %` : '–';
      time.textContent = next.seconds == null ? '–' : next.seconds < 60 ? `${fmtNumber(next.seconds, 1)} s` : fmtDuration(next.seconds);
      const active = !finished(next.state);
      cancel.hidden = !active;
      if (active && !next.cancelRequested) {
        cancel.disabled = false;
        cancel.textContent = 'Cancel';
      } else if (active) {
        cancel.disabled = true;
        cancel.textContent = 'Cancelling…';
      }
      cancel.setAttribute('aria-label', `Cancel the evaluation of ${fmtDate(next.createdUtc)}`);
      if (!finished(was) && finished(next.state)) ended(next);
      if (active) poll();
    }

    function poll() {
      if (timer) return;
      timer = setTimeout(async () => {
        timer = null;
        try {
          update(await getJson(`/api/evaluations/${current.id}`));
        } catch (error) {
          // Said, never swallowed; and tried again a little later (the server may be restarting).
          showError(message, error);
          timer = setTimeout(() => { timer = null; poll(); }, RETRY_MS);
        }
      }, POLL_MS);
    }

    if (where === 'start') tbody.prepend(tr); else tbody.append(tr);
    update(e);
    return tr;
  }

  function ended(e) {
    if (e.state === 'succeeded') {
      announcer.textContent = `Evaluation finished: log-likelihood ${fmtNumber(e.logLikelihood, 4)} ± ${fmtNumber(e.standardError, 4)}, accuracy ${fmtNumber(100 * e.accuracy, 1)} %.`;
      if (onSucceeded) onSucceeded(e);
    } else {
      announcer.textContent = `Evaluation ${e.state}.`;
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    replace(message);
    clearFieldErrors(form);
    if (!checkConstraints(form)) return;
    const body = { modelId, corpusId: corpusSelect.value, split: $('eval-split').value };
    for (const name of ['aisRuns', 'aisSteps', 'accSamples']) {
      const value = $(`eval-${name}`).value.trim();
      if (value !== '') body[name] = Number(value); // empty: the API's default
    }
    button.disabled = true;
    try {
      // The seed may need all 53 bits: sent as the digits typed, never through a JS number.
      const text = jsonWithInteger(body, 'seed', $('eval-seed').value.trim());
      const response = await request('/api/evaluations', { method: 'POST', body: text, headers: { 'Content-Type': 'application/json' } });
      addRow(await response.json(), 'start');
      announcer.textContent = 'Evaluation started.';
      replace(message, alertBox('success', 'Evaluation started.', 'It runs in the background; its row below updates as it goes.'));
    } catch (error) {
      showError(message, error, form);
    } finally {
      button.disabled = false;
    }
  });

  // The bounds and defaults of every field come from the API (the page copies none).
  applyOptions(form, '/api/evaluations/options').catch((error) => showError(message, error));
  loadCorpora().then(loadList);
}
