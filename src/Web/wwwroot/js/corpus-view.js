// Draws a corpus (GET /api/corpora/{id} or the 201 of POST /api/corpora): per-file report, statistics, histogram.
import { h, fmtDate, fmtNumber, fmtDuration, getJson, replace, alertBox, showError } from './api.js';

/**
 * Fills a corpus <select> from GET /api/corpora: the one named by ?corpus= chosen, the only one chosen when there is
 * one, a pointer to the upload page in `message` when there is none. Returns the corpora's names by id ({} on error).
 */
export async function fillCorpusSelect(select, message) {
  try {
    const corpora = await getJson('/api/corpora');
    const wanted = new URLSearchParams(location.search).get('corpus');
    select.replaceChildren(h('option', { value: '' }, corpora.length ? 'Choose a corpus…' : 'No corpus yet'),
      ...corpora.map((c) => h('option', { value: c.id, selected: c.id === wanted }, `${c.name} (${c.fileCounts.train} train files)`)));
    if (!corpora.length) {
      replace(message, alertBox('info', 'No corpus yet.', null, h('p', {}, h('a', { href: '/corpora' }, 'Upload MIDI files'), ' first, then come back.')));
    } else if (!wanted && corpora.length === 1) {
      select.value = corpora[0].id;
    }
    return Object.fromEntries(corpora.map((c) => [c.id, c.name]));
  } catch (error) {
    showError(message, error);
    return {};
  }
}

export function corpusSummaryLine(c) {
  const counts = c.fileCounts || {};
  const accepted = (counts.train || 0) + (counts.valid || 0) + (counts.test || 0);
  return `${accepted} file${accepted === 1 ? '' : 's'} (${counts.train || 0} train, ${counts.valid || 0} valid, ${counts.test || 0} test)` +
    (counts.rejected ? `, ${counts.rejected} rejected` : '') + ` · ${fmtNumber(c.steps && c.steps.total)} steps`;
}

/** `listen(file, box)`, when given, adds a Listen button to every accepted file; its player goes in `box`, above the files. */
export function renderCorpus(c, { headingLevel = 'h1', actions = [], listen = null } = {}) {
  const counts = c.fileCounts || {};
  const accepted = (counts.train || 0) + (counts.valid || 0) + (counts.test || 0);
  const files = c.files || [];
  const rejected = files.filter((f) => !f.accepted);
  const top = [...(c.pitchHistogram || [])].sort((a, b) => b.noteSteps - a.noteSteps).slice(0, 3);
  const histogramAlt = top.length
    ? `Pitch histogram of ${c.name}: how often each piano key sounds. Most frequent: ${top.map((p) => p.name).join(', ')}.`
    : `Pitch histogram of ${c.name}.`;
  const poly = c.polyphony || {};
  const split = c.split || {};

  return h('article', { class: 'corpus', 'aria-label': `Corpus ${c.name}` },
    h('div', { class: 'title-row' },
      h(headingLevel, {}, c.name),
      h('div', { class: 'button-row' }, actions)),
    h('p', { class: 'muted' }, `Uploaded ${fmtDate(c.createdUtc)} · split: ${split.source || c.splitSource || '–'}` +
      (split.validFraction !== null && split.validFraction !== undefined ? ` (valid fraction ${split.validFraction}, seed ${split.splitSeed})` : '')),
    h('dl', { class: 'stats' },
      stat('Accepted files', fmtNumber(accepted)),
      stat('Rejected files', fmtNumber(counts.rejected || 0)),
      stat('Train / valid / test', `${counts.train || 0} / ${counts.valid || 0} / ${counts.test || 0}`),
      stat('Steps', fmtNumber(c.steps && c.steps.total)),
      stat('Notes per step', poly.meanNotesPerSoundingStep !== undefined ? `${fmtNumber(poly.meanNotesPerSoundingStep, 2)} (max ${poly.maxNotes})` : '–'),
      stat('Tempi', (c.tempos || []).slice(0, 4).map((t) => `${fmtNumber(t.bpm)} bpm`).join(', ') || '–'),
      stat('Time signatures', (c.timeSignatures || []).slice(0, 4).map((t) => t.signature).join(', ') || '–')),
    c.statisticsGrid ? h('p', { class: 'hint' }, `Statistics measured on ${c.statisticsGrid.description}`) : null,
    accepted > 0
      ? h('figure', { class: 'histogram' },
        h('img', { src: `/api/corpora/${c.id}/pitch-histogram.png`, alt: histogramAlt, loading: 'lazy', width: 900, height: 360 }),
        h('figcaption', { class: 'muted' }, 'Note-steps per piano key over the accepted files.'))
      : null,
    rejected.length
      ? h('section', { class: 'rejected', 'aria-label': 'Rejected files' },
        h('h3', {}, `Rejected (${rejected.length})`),
        h('ul', { class: 'rejected-list' }, rejected.map((f) =>
          h('li', {}, h('strong', { class: 'file-name' }, f.fileName), ': ', reasonView(f.reason)))))
      : null,
    listen ? h('div', { id: 'file-player', class: 'file-player' }) : null,
    h('section', { 'aria-label': 'File report' },
      h('h3', {}, `Files (${files.length})`),
      h('div', { class: 'table-scroll' },
        h('table', { class: 'file-report cards' },
          h('thead', {}, h('tr', {},
            h('th', { scope: 'col' }, 'File'), h('th', { scope: 'col' }, 'Result'), h('th', { scope: 'col' }, 'Split'),
            h('th', { scope: 'col', class: 'num' }, 'Steps'), h('th', { scope: 'col', class: 'num' }, 'Notes'),
            h('th', { scope: 'col', class: 'num' }, 'Length'), h('th', { scope: 'col' }, 'Details'))),
          h('tbody', {}, files.map((f) => h('tr', { class: f.accepted ? 'accepted' : 'rejected' },
            h('th', { scope: 'row', class: 'file-name' }, f.fileName),
            h('td', { 'data-label': 'Result' }, f.accepted ? h('span', { class: 'badge badge-succeeded' }, 'accepted') : h('span', { class: 'badge badge-failed' }, 'rejected')),
            h('td', { 'data-label': 'Split' }, f.split || '–'),
            h('td', { class: 'num', 'data-label': 'Steps' }, f.stats ? fmtNumber(f.stats.steps) : '–'),
            h('td', { class: 'num', 'data-label': 'Notes' }, f.stats ? fmtNumber(f.stats.notes) : '–'),
            h('td', { class: 'num', 'data-label': 'Length' }, f.stats ? fmtDuration(f.stats.durationSeconds) : '–'),
            h('td', { 'data-label': f.accepted ? 'Details' : 'Why' }, f.accepted ? [listen ? listenButton(f, listen) : null, fileDetails(f.stats)] : reasonView(f.reason)))))))));
}

function listenButton(f, listen) {
  return h('button', {
    type: 'button', class: 'button button-small button-quiet', 'aria-label': `Listen to ${f.fileName}`,
    onclick: (e) => listen(f, e.currentTarget.closest('article').querySelector('#file-player')),
  }, 'Listen');
}

// The upload's reasons are exact (they name the MIDI format's parts); each gets a plain sentence first, the exact
// reason one click away.
const PLAIN_REASONS = [
  [/MThd or RIFF\/RMID/, 'Not a MIDI file: it does not begin the way every MIDI file begins.'],
  [/nested archives/, 'A zip inside the zip: unpack it into the outer one.'],
  [/__MACOSX/, 'Not music: a macOS leftover.'],
  [/above the limit/, 'Too large for this server.'],
  [/outside the archive's train\/, valid\/ and test\//, 'Outside the zip\'s train, valid and test folders.'],
  [/zip/i, 'The zip could not be read.'],
  [/no note|no notes|empty/i, 'It has no notes to learn from.'],
  [/^invalid MIDI file/i, 'A MIDI file, but damaged or unusual: it cannot be read.'],
];

/** A rejection reason in plain words, with the exact reason in a disclosure when the two differ. */
export function reasonView(reason) {
  const exact = reason || 'no reason given';
  const match = PLAIN_REASONS.find(([pattern]) => pattern.test(exact));
  if (!match) return h('span', { class: 'reason' }, exact);
  return h('span', { class: 'reason-block' }, h('span', { class: 'reason' }, match[1]), ' ',
    h('details', { class: 'exact-reason' }, h('summary', {}, 'Exact reason'), h('code', {}, exact)));
}

function fileDetails(s) {
  if (!s) return '';
  const parts = [`${s.tracks} track${s.tracks === 1 ? '' : 's'}`, `max ${s.maxPolyphony} at once`];
  if (s.tempos && s.tempos.length) parts.push(`${s.tempos.map((t) => fmtNumber(t)).join('/')} bpm`);
  if (s.timeSignatures && s.timeSignatures.length) parts.push(s.timeSignatures.join(', '));
  if (s.notesOutsideRange) parts.push(`${s.notesOutsideRange} notes outside the piano`);
  if (s.drumNotesSkipped) parts.push(`${s.drumNotesSkipped} drum notes skipped`);
  return parts.join(' · ');
}

export function stat(term, value) {
  return h('div', {}, h('dt', {}, term), h('dd', {}, value));
}
