// A model's evaluations on its page: the form that starts one (POST /api/evaluations), the list of the model's
// evaluations (GET /api/evaluations?modelId=), each queued or running one polled (GET /api/evaluations/{id}) about
// once a second until it ends, and its Cancel button (POST /api/evaluations/{id}/cancel).
import { getJson, request, h, replace, showError, checkConstraints, clearFieldErrors, alertBox, jsonWithInteger, applyOptions, fmtDate, fmtNumber, fmtDuration, stateBadge } from './api.js';

const POLL_MS = 1000;
const RETRY_MS = 5000;
const finished = (state) => state === 'succeeded' || state === 'failed' || state === 'cancelled';
const $ = (x) => document.getElementById(x);

/**
 * The model's quality in one plain sentence, from an evaluation's accuracy against its floor (repeating the last chord)
 * and its log-likelihood against independent notes; null when the evaluation has no accuracy.
 */
export function qualityLine(e) {
  if (!e || e.accuracy == null || e.baselineAccuracy == null) return null;
  const pct = (x) => `${fmtNumber(100 * x, 1)} %`;
  const relative = e.baselineAccuracy > 0 ? (e.accuracy - e.baselineAccuracy) / e.baselineAccuracy : null;
  let line;
  if (relative == null) line = `Predicts the next chord correctly ${pct(e.accuracy)} of the time`;
  else if (Math.abs(relative) < 0.01) line = 'Predicts the next chord about as well as repeating the last one';
  else line = `Predicts the next chord ${fmtNumber(Math.abs(100 * relative), 0)} % ${relative > 0 ? 'better' : 'worse'} than repeating the last one`;
  line += ` (${pct(e.accuracy)} against ${pct(e.baselineAccuracy)})`;
  if (e.logLikelihood != null && e.baselineLogLikelihood != null) {
    line += e.logLikelihood > e.baselineLogLikelihood
      ? ', and finds real music more likely than notes drawn independently do'
      : ', but finds real music less likely than notes drawn independently do';
  }
  return `${line}.`;
}

/** The short form for a list: "12 % better than repeating the last chord". */
export function qualityShort(e) {
  if (!e || e.accuracy == null || e.baselineAccuracy == null || !(e.baselineAccuracy > 0)) return null;
  const relative = (e.accuracy - e.baselineAccuracy) / e.baselineAccuracy;
  if (Math.abs(relative) < 0.01) return 'as good as repeating the last chord';
  return `${fmtNumber(Math.abs(100 * relative), 0)} % ${relative > 0 ? 'better' : 'worse'} than repeating the last chord`;
}

/**
 * Shows the evaluations section of model `modelId`; `onSucceeded(evaluation)` runs when one of them succeeds,
 * `onLatest(evaluation or null)` with the newest succeeded one once the list has loaded. `preferredCorpus` (the
 * corpus the model learned from) is chosen in the form when it still exists. Returns `measure()`, which starts an
 * evaluation with the form's values (choosing a corpus first when none is).
 */
export function mountEvaluations(modelId, onSucceeded, { onLatest, preferredCorpus } = {}) {
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
      // The corpus the model learned from, else the only one: then a split that has files.
      if (preferredCorpus && corpora.some((c) => c.id === preferredCorpus)) corpusSelect.value = preferredCorpus;
      else if (corpora.length === 1) corpusSelect.value = corpora[0].id;
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
    if (onLatest) onLatest(evaluations.find((e) => e.state === 'succeeded') || null);
  }

  function table(body) {
    return h('div', { class: 'table-scroll' }, h('table', { class: 'cards', 'aria-labelledby': 'evaluations-list-title' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Requested'), h('th', { scope: 'col' }, 'Data'), h('th', { scope: 'col' }, 'Settings'),
        h('th', { scope: 'col' }, 'State'),
        h('th', { scope: 'col', class: 'num' }, 'Log-likelihood ', h('a', { class: 'term', href: '/glossary#log-likelihood', title: 'How likely the music is to the model, nats per time step; higher is better.' }, '?', h('span', { class: 'visually-hidden' }, ' (glossary: log-likelihood)'))),
        h('th', { scope: 'col', class: 'num' }, 'Floor: independent notes ', h('a', { class: 'term', href: '/glossary#baseline', title: 'baselineLogLikelihood: independent notes fitted on the train files.' }, '?', h('span', { class: 'visually-hidden' }, ' (glossary: baseline)'))),
        h('th', { scope: 'col', class: 'num' }, 'Next-chord accuracy'), h('th', { scope: 'col', class: 'num' }, 'Deterministic'),
        h('th', { scope: 'col', class: 'num' }, 'Floor: repeat the last chord'), h('th', { scope: 'col', class: 'num' }, 'Time'),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
      body));
  }

  // A row is built once and updated in place, so that a focused Cancel button keeps its focus while the row changes.
  function addRow(e, where) {
    if (!tbody) {
      tbody = h('tbody', {});
      replace(list, table(tbody));
    }
    const state = h('td', { class: 'state', 'data-label': 'State' });
    const ll = h('td', { class: 'num ll', 'data-label': 'Log-likelihood' });
    const acc = h('td', { class: 'num acc', 'data-label': 'Next-chord accuracy' });
    const baseLl = h('td', { class: 'num baseline-ll', 'data-label': 'Floor, independent notes' });
    const accDet = h('td', { class: 'num acc-deterministic', 'data-label': 'Deterministic' });
    const baseAcc = h('td', { class: 'num baseline-acc', 'data-label': 'Floor, repeat the last chord' });
    const settings = h('td', { 'data-label': 'Settings' });
    const time = h('td', { class: 'num seconds', 'data-label': 'Time' });
    const data = h('td', { 'data-label': 'Data' });
    const cancel = h('button', { type: 'button', class: 'button button-danger button-small' }, 'Cancel');
    const tr = h('tr', { dataset: { id: e.id } },
      h('td', { 'data-label': 'Requested' }, fmtDate(e.createdUtc)), data,
      settings, state, ll, baseLl, acc, accDet, baseAcc, time, h('td', {}, cancel));
    let current = e;
    let timer = null;
    let shown = 0; // the progress shown: it never goes back

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
      shown = Math.max(shown, next.progress || 0);
      const progress = Math.floor(100 * shown);
      const bar = next.state === 'running'
        ? h('progress', { max: '1', value: String(shown), 'aria-label': `Progress of the evaluation of ${fmtDate(next.createdUtc)}`, 'aria-valuetext': `${progress} %` })
        : null;
      // Time left: the time so far, scaled by what is left (said once a little of it is done, to be worth reading).
      const elapsed = next.startedUtc ? (Date.now() - Date.parse(next.startedUtc)) / 1000 : null;
      const left = next.state === 'running' && elapsed != null && shown >= 0.02 && shown < 1
        ? h('span', { class: 'time-left' }, `, about ${fmtDuration(elapsed * (1 - shown) / shown)} left`)
        : next.state === 'running' ? h('span', { class: 'time-left' }, ', measuring the time left…') : null;
      replace(state, stateBadge(next.state), bar, next.state === 'running' ? [` ${progress} %`, left] : null,
        next.state === 'failed' ? h('p', { class: 'reason' }, next.error || 'No reason was recorded.') : null,
        next.state === 'cancelled' ? h('p', { class: 'muted' }, `Cancelled at ${progress} %; the model's metrics are unchanged.`) : null);
      const schedule = next.aisSteps != null ? `${fmtNumber(next.aisSteps)} steps` : `a converged schedule (±${next.aisTolerance} nats)`;
      settings.textContent = `Estimate: ${fmtNumber(next.aisRuns)} AIS runs × ${schedule}, ${fmtNumber(next.accSamples)} accuracy samples, seed ${next.seed}`;
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

  /** Starts an evaluation with the form's values; without a corpus chosen, asks for one. */
  function measure() {
    section.scrollIntoView({ block: 'start' });
    if (!corpusSelect.value) {
      corpusSelect.focus();
      replace(message, alertBox('info', 'Choose a corpus to measure on.', 'Then press “Start evaluation”.'));
      return;
    }
    form.requestSubmit();
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
  return { measure };
}
