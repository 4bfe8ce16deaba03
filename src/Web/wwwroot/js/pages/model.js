import { getJson, request, h, replace, showError, fmtDate, fmtGrid, fmtNumber, fmtBytes, fmtDuration, noteName, setTitle } from '../api.js';
import { drawCurve } from '../curve.js';
import { stat } from '../corpus-view.js';
import { mountEvaluations, qualityLine } from '../evaluations.js';
import { mountScore } from '../score.js';
import { mountStyle } from '../style.js';

const root = document.getElementById('model');
const id = root.dataset.id;

async function load() {
  let m;
  try {
    m = await getJson(`/api/models/${id}`);
  } catch (error) {
    replace(root, h('h1', {}, 'Model'), h('div', { id: 'model-error' }));
    showError(document.getElementById('model-error'), error);
    return;
  }
  setTitle(m.name);
  const man = m.manifest || {};
  const tr = man.training || {};
  const message = h('div', { 'aria-live': 'polite' });
  const remove = h('button', { type: 'button', class: 'button button-danger' }, 'Delete');
  remove.addEventListener('click', async () => {
    if (!confirm(`Delete the model “${m.name}”?`)) return;
    try {
      await request(`/api/models/${id}`, { method: 'DELETE' });
      location.href = '/models';
    } catch (error) {
      showError(message, error);
    }
  });
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-labelledby', 'model-curve-caption');
  const caption = h('figcaption', { id: 'model-curve-caption', class: 'muted' });
  const curve = m.curve && m.curve.length ? m.curve : (man.history || []);
  const totalSeconds = curve.reduce((sum, e) => sum + (e.seconds || 0), 0);
  const metrics = h('div', { id: 'model-metrics' }, metricsTable(m));
  const quality = h('p', { id: 'quality-line', class: 'quality muted', 'aria-live': 'polite' }, 'Quality: looking for a measurement…');

  replace(root,
    h('div', { class: 'title-row' },
      h('h1', {}, m.name),
      h('div', { class: 'button-row' },
        h('a', { class: 'button', href: `/generate?model=${id}` }, 'Generate from it'),
        h('a', { class: 'button button-quiet', href: `/api/models/${id}/file`, download: '' }, `Download (${fmtBytes(m.fileBytes)})`),
        remove)),
    message,
    quality,
    h('p', { class: 'muted' }, h('span', { class: `badge badge-${m.origin}` }, m.origin), ` Added ${fmtDate(m.createdUtc)}`,
      m.trainingId ? [' · ', h('a', { href: `/trainings/${m.trainingId}` }, 'its training')] : null,
      m.corpusId ? [' · ', h('a', { href: `/corpora/${m.corpusId}` }, 'its corpus')] : null),
    h('section', { class: 'card', 'aria-labelledby': 'manifest-title' },
      h('h2', { id: 'manifest-title' }, 'Manifest'),
      h('dl', { class: 'stats' },
        stat('Visible × hidden × recurrent', man.shape ? `${man.shape.visible} × ${man.shape.hidden} × ${man.shape.recurrent}` : '–'),
        stat('Pitches', man.pitchRange ? `${noteName(man.pitchRange.lowest)}–${noteName(man.pitchRange.highest)} (MIDI ${man.pitchRange.lowest}–${man.pitchRange.highest})` : '–'),
        stat('Time step', fmtGrid(man.timeGrid)),
        stat('Epochs', `${tr.epochsCompleted ?? '–'} of ${tr.epochsPlanned ?? '–'}`),
        man.stopping ? stat('Keeps epoch', man.stopping.keptEpoch != null
          ? `${man.stopping.keptEpoch}` + (man.stopping.bestValidLogLikelihood != null && man.stopping.keptEpoch === man.stopping.bestEpoch
            ? ` (best on validation: ${fmtNumber(man.stopping.bestValidLogLikelihood, 3)} nats per step)` : ' (the last)')
          : '–') : null,
        man.stopping && man.stopping.stopReason ? stat('Why training stopped', man.stopping.stopReason) : null,
        stat('Learning rate', tr.learningRate != null ? String(tr.learningRate) + (tr.learningRateDecay && tr.learningRateDecay !== 1 ? ` (× ${tr.learningRateDecay} per epoch)` : '') : '–'),
        stat('Momentum', tr.momentum ? String(tr.momentum) : 'none'),
        stat('Gradient clipping', tr.clipNorm ? String(tr.clipNorm) : 'off'),
        stat('Batch size', tr.batchSize != null ? String(tr.batchSize) : '–'),
        stat('Refinement passes while learning (CD-k)', tr.cdK != null ? String(tr.cdK) : '–'),
        stat('Seed', tr.seed != null ? String(tr.seed) : '–'),
        stat('Corpus', man.corpus ? `${man.corpus.name}: ${fmtNumber(man.corpus.sequences)} pieces, ${fmtNumber(man.corpus.steps)} steps` : '–'),
        stat('Numerics', man.numerics ? man.numerics.backend : '–'),
        stat('Training time', totalSeconds ? fmtDuration(totalSeconds) : '–'),
        stat('Resumable', man.hasCheckpoint ? 'yes (checkpoint)' : 'no')),
      man.notes ? h('p', { class: 'hint' }, man.notes) : null),
    h('section', { class: 'card', 'aria-labelledby': 'curve-title' },
      h('h2', { id: 'curve-title' }, 'Training curve'),
      h('figure', { class: 'curve-figure' }, svg, caption),
      h('p', {}, h('a', { href: `/api/models/${id}/curve.png` }, 'The same curve as a PNG image'))),
    h('section', { class: 'card', 'aria-labelledby': 'metrics-title' },
      h('h2', { id: 'metrics-title' }, 'Metrics'),
      metrics));
  caption.textContent = drawCurve(svg, curve, man.stopping && man.stopping.bestEpoch);
  mountScore(id);
  mountStyle(id);
  const evaluations = mountEvaluations(id, (e) => { refreshMetrics(metrics, message); showQuality(quality, e, evaluations); },
    {
      preferredCorpus: m.corpusId,
      onLatest: (e) => {
        showQuality(quality, e, evaluations);
        // An evaluation may have finished between reading the model and reading its evaluations: metrics as they are now.
        if (e) refreshMetrics(metrics, message);
      },
    });
}

// One plain sentence from the newest succeeded evaluation's baselines; or "not measured yet" with a button to measure.
function showQuality(box, e, evaluations) {
  const line = qualityLine(e);
  const help = h('a', { class: 'term', href: '/glossary#quality', title: 'From the newest evaluation: accuracy against baselineAccuracy (the previous frame) and logLikelihood against baselineLogLikelihood.' }, '?', h('span', { class: 'visually-hidden' }, ' (glossary: quality line)'));
  box.className = 'quality';
  if (line) {
    replace(box, h('strong', {}, 'Quality: '), line, ' ', help);
  } else {
    replace(box, h('strong', {}, 'Quality: '), 'not measured yet. ', help, ' ',
      h('button', { type: 'button', class: 'button button-small', id: 'measure-button', onclick: () => evaluations && evaluations.measure() }, 'Measure it'));
  }
}

// The manifest's metric keys ("valid.logLikelihood") in words, the key itself beside them.
const METRIC_WORDS = {
  logLikelihood: (split) => `How likely the ${split} music is (log-likelihood, higher is better)`,
  logLikelihoodStandardError: (split) => `± its standard error on the ${split} music`,
  accuracy: (split) => `Next-chord accuracy on the ${split} music`,
};

function metricName(key) {
  const [split, name] = key.includes('.') ? [key.slice(0, key.indexOf('.')), key.slice(key.indexOf('.') + 1)] : [null, key];
  const words = split && METRIC_WORDS[name] ? METRIC_WORDS[name](split) : null;
  return words ? [words, ' ', h('code', { class: 'metric-key' }, key)] : h('code', { class: 'metric-key' }, key);
}

function metricsTable(m) {
  const metrics = Object.entries(m.metrics || (m.manifest || {}).metrics || {});
  return metrics.length
    ? h('div', { class: 'table-scroll' }, h('table', {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Measured'), h('th', { scope: 'col', class: 'num' }, 'Value'))),
      h('tbody', {}, metrics.map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, metricName(k)),
        h('td', { class: 'num' }, k.endsWith('accuracy') ? `${fmtNumber(100 * v, 1)} %` : fmtNumber(v, 4)))))))
    : h('p', { class: 'muted' }, 'No evaluation metrics recorded for this model.');
}

// A succeeded evaluation wrote its results into the model's manifest: show the metrics as they are now.
async function refreshMetrics(container, message) {
  try {
    replace(container, metricsTable(await getJson(`/api/models/${id}`)));
  } catch (error) {
    showError(message, error);
  }
}

load();
