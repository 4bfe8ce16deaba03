// The piano-roll player: a piece's roll drawn on a canvas from its JSON (the notes of every step, never sampled
// again), with a playhead that follows the server's audio rendering, click to seek, zoom, scroll, a loop range and
// the primer shaded apart from the continuation. Used for a generation (GET /api/generations/{id}: `piece`) and for
// a corpus file (GET /api/corpora/{id}/files/{fileId}/roll).
//
// Time: step t sounds from t × stepSeconds to (t + 1) × stepSeconds of the audio (MidiWriter writes step t at that
// time; a corpus file's roll is read on a seconds grid), so the audio's currentTime is the only clock.
//
// Drawing: a wide, empty spacer gives the scroll box its length (steps × pixels per step); the canvas is only as
// wide as the box, sticks to its left edge and draws the visible steps, so a 3000-step roll at any zoom costs one
// screenful of drawing. The state a test needs is mirrored on the root's data- attributes (see `expose`).
import { h, replace, showError, getJson, request } from './api.js';

const stylesheet = new URL('../css/player.css', import.meta.url).href;
if (!document.querySelector(`link[href="${stylesheet}"]`)) {
  document.head.append(h('link', { rel: 'stylesheet', href: stylesheet }));
}

const RULER = 20; // px of time ruler above the roll
// A long piece opens at 30 px per second of music, at least 3 px per step (fitting 3000 steps into a phone's width
// would leave 0.1 px a step): about 10 s of it on a phone, 20 s in a laptop's card.
const READABLE_PX_PER_SECOND = 30;
const READABLE_MIN_PPS = 3;
const MAX_ZOOM = 48;
const ZOOM_STEP = 1.5;
const COLORS = {
  background: '#ffffff', blackKey: '#f1f3f7', octave: '#d9dee6', primerBackground: '#fff4d6',
  note: '#2d5d8f', primerNote: '#a86b00', primerLine: '#8a5a00', loop: 'rgba(244, 185, 66, 0.28)', loopEdge: '#c58a00',
  playhead: '#b3261e', ruler: '#f5f6fa', rulerText: '#5b6573',
};

/** The player's roll from a generation's piece (GenerationJson). */
export function rollFromPiece(piece) {
  const grid = piece.timeGrid || {};
  const stepSeconds = grid.kind === 'seconds' ? grid.seconds : 60 / (piece.tempo * grid.stepsPerQuarter);
  return {
    notes: piece.notes,
    steps: piece.steps,
    stepSeconds,
    pitchRange: piece.pitchRange,
    // Rows [0, primerSteps) of the notes are the primer only when it was included; otherwise the piece continues a
    // primer that is not in it, and the boundary is its first step.
    primerSteps: piece.includePrimer ? piece.primerSteps : 0,
    primerLeftOut: piece.includePrimer ? 0 : piece.primerSteps,
  };
}

/** The player's roll from a corpus file's roll (CorpusFileRoll). */
export function rollFromCorpusFile(file) {
  return { notes: file.notes, steps: file.steps, stepSeconds: file.timeGrid.seconds, pitchRange: file.pitchRange, primerSteps: 0, primerLeftOut: 0 };
}

function clock(seconds) {
  const s = Math.max(0, seconds);
  const m = Math.floor(s / 60);
  return `${m}:${(s - m * 60).toFixed(1).padStart(4, '0')}`;
}

function isBlackKey(pitch) {
  return [1, 3, 6, 8, 10].includes(((pitch % 12) + 12) % 12);
}

/**
 * A player element for `roll` (see rollFromPiece). `audio` is a function that fetches the audio (a Blob), or null
 * when the server cannot render any; `unavailable` then says why. `audioId` names the <audio> element; `label`
 * names the player for assistive technology.
 */
export function createPlayer(roll, { audio = null, unavailable = '', audioId, label = 'Piano-roll player' } = {}) {
  const duration = roll.steps * roll.stepSeconds;
  const state = {
    pps: 1, fit: true, time: 0, loopStart: null, loopEnd: null, loopOn: false, loops: 0, playing: false, frame: 0, drag: null, url: null,
  };

  // The pitches drawn: those the piece uses, with a margin, at least an octave, inside the range.
  let low = Infinity;
  let high = -Infinity;
  for (const row of roll.notes) for (const p of row) { if (p < low) low = p; if (p > high) high = p; }
  if (low > high) { low = 60; high = 71; }
  low = Math.max(roll.pitchRange.lowest, low - 2);
  high = Math.min(roll.pitchRange.end - 1, high + 2);
  while (high - low < 11) {
    if (low > roll.pitchRange.lowest) low -= 1;
    if (high - low < 11 && high < roll.pitchRange.end - 1) high += 1;
    if (low <= roll.pitchRange.lowest && high >= roll.pitchRange.end - 1) break;
  }

  const canvas = h('canvas', {
    class: 'player-canvas', tabindex: 0, role: 'slider', 'aria-label': 'Position in the piece',
    'aria-valuemin': 0, 'aria-valuemax': Math.round(duration),
  });
  const spacer = h('div', { class: 'player-spacer' }, canvas);
  const scroller = h('div', { class: 'player-scroll' }, spacer);
  // Without audio there is no <audio> at all: nothing on the page claims it can play.
  const media = audio ? h('audio', { preload: 'auto', id: audioId, class: 'player-audio' }) : document.createElement('audio');
  const playButton = h('button', { type: 'button', class: 'button button-small player-play', disabled: true, 'aria-label': 'Play' }, 'Play');
  const timeText = h('span', { class: 'player-time', 'aria-live': 'off' });
  const zoomOut = h('button', { type: 'button', class: 'button button-small button-quiet', 'aria-label': 'Zoom out' }, '−');
  const zoomIn = h('button', { type: 'button', class: 'button button-small button-quiet', 'aria-label': 'Zoom in' }, '+');
  const zoomFit = h('button', { type: 'button', class: 'button button-small button-quiet', 'aria-label': 'Show the whole piece' }, 'Whole piece');
  const loopFrom = h('button', { type: 'button', class: 'button button-small button-quiet', 'aria-label': 'Loop from the playhead' }, 'Loop from here');
  const loopTo = h('button', { type: 'button', class: 'button button-small button-quiet', 'aria-label': 'Loop to the playhead' }, 'Loop to here');
  const loopToggle = h('input', { type: 'checkbox', class: 'player-loop-on', disabled: true });
  const loopClear = h('button', { type: 'button', class: 'button button-small button-quiet', disabled: true }, 'Clear loop');
  const loopText = h('span', { class: 'player-loop-range muted' }, 'No loop: drag across the roll, or use the buttons.');
  const status = h('div', { class: 'player-status', 'aria-live': 'polite' });

  const primerNote = roll.primerSteps > 0
    ? h('span', {}, h('span', { class: 'player-swatch player-swatch-primer', 'aria-hidden': 'true' }),
      ` Primer: the first ${roll.primerSteps} steps (to ${clock(roll.primerSteps * roll.stepSeconds)}); `,
      h('span', { class: 'player-swatch player-swatch-continuation', 'aria-hidden': 'true' }), ' the model\'s continuation after the line.')
    : roll.primerLeftOut > 0
      ? h('span', {}, `This piece continues a ${roll.primerLeftOut}-step primer that is not part of it: the line at the start marks where the primer ended.`)
      : null;

  const root = h('section', { class: 'player', 'aria-label': label },
    h('div', { class: 'player-bar', role: 'group', 'aria-label': 'Playback and zoom' },
      playButton, timeText, h('span', { class: 'player-spacer-flex' }), zoomOut, zoomIn, zoomFit),
    scroller,
    h('div', { class: 'player-bar', role: 'group', 'aria-label': 'Loop range' },
      loopFrom, loopTo, h('label', { class: 'player-check' }, loopToggle, ' Loop'), loopClear, loopText),
    primerNote ? h('p', { class: 'player-legend' }, primerNote) : null,
    h('p', { class: 'player-help hint' }, 'Click the roll to jump there; drag across it to loop that part. With the roll focused: ← → move 1 s, ',
      'Home/End, Space plays or pauses, + and − zoom, [ and ] set the loop.'),
    status, audio ? media : null);

  const ctx = canvas.getContext('2d');

  function viewWidth() { return scroller.clientWidth || 300; }
  function fitPps() { return viewWidth() / Math.max(1, roll.steps); }
  function rowHeight() { return ((spacer.clientHeight || 240) - RULER) / (high - low + 1); }

  // The canvas pixels of cell (step, pitch) in the current view, snapped to whole pixels so that a cell is solid
  // however narrow the zoom makes it, and a row keeps a 1 px gap when there is room for one.
  function cellRect(t, p) {
    const left = scroller.scrollLeft;
    const rowH = rowHeight();
    const x0 = Math.round(t * state.pps - left);
    const x1 = Math.max(x0 + 1, Math.round((t + 1) * state.pps - left));
    const y0 = Math.round(RULER + (high - p) * rowH);
    const y1 = Math.max(y0 + 1, Math.round(RULER + (high - p + 1) * rowH) - (rowH >= 3 ? 1 : 0));
    return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
  }
  function stepAtX(x) { return Math.min(roll.steps, Math.max(0, (scroller.scrollLeft + x) / state.pps)); }
  function playStep() { return state.time / roll.stepSeconds; }

  function setZoom(pps, anchorStep) {
    const width = viewWidth();
    const anchor = anchorStep ?? playStep();
    const anchorX = anchor * state.pps - scroller.scrollLeft;
    // From the whole piece in view to a few steps across the box.
    state.pps = Math.min(Math.max(MAX_ZOOM, fitPps()), Math.max(fitPps(), pps));
    state.fit = Math.abs(state.pps - fitPps()) < 1e-9;
    spacer.style.width = `${Math.max(width, Math.ceil(roll.steps * state.pps))}px`;
    // The anchor (the playhead) keeps its place on screen when it was in view; otherwise it is brought in view.
    const keep = anchorX >= 0 && anchorX <= width ? anchorX : width * 0.1;
    scroller.scrollLeft = Math.max(0, anchor * state.pps - keep);
    draw();
  }

  function expose(first, visible) {
    Object.assign(root.dataset, {
      steps: roll.steps, primerSteps: roll.primerSteps, primerLeftOut: roll.primerLeftOut, stepSeconds: roll.stepSeconds,
      pxPerStep: state.pps, viewStart: first, viewSteps: visible, lowest: low, highest: high, ruler: RULER,
      playhead: playStep().toFixed(3), loopStart: state.loopStart ?? '', loopEnd: state.loopEnd ?? '', loopOn: state.loopOn, loops: state.loops,
    });
  }

  function draw() {
    const width = viewWidth();
    const height = spacer.clientHeight || 240;
    const dpr = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(height * dpr);
      canvas.style.width = `${width}px`;
      canvas.style.height = `${height}px`;
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const left = scroller.scrollLeft;
    const pps = state.pps;
    const rowH = rowHeight();
    const first = left / pps;
    const last = Math.min(roll.steps, Math.ceil((left + width) / pps));
    const xOf = (step) => step * pps - left;

    // Lanes: black keys shaded, a line under every C; the primer's steps on a warm ground.
    ctx.fillStyle = COLORS.background;
    ctx.fillRect(0, RULER, width, height - RULER);
    for (let p = low; p <= high; p++) {
      const y = RULER + (high - p) * rowH;
      if (isBlackKey(p)) { ctx.fillStyle = COLORS.blackKey; ctx.fillRect(0, y, width, rowH); }
      if (p % 12 === 0) { ctx.fillStyle = COLORS.octave; ctx.fillRect(0, y + rowH - 1, width, 1); }
    }
    if (roll.primerSteps > 0 && xOf(roll.primerSteps) > 0) {
      ctx.fillStyle = COLORS.primerBackground;
      ctx.fillRect(0, RULER, Math.min(width, xOf(roll.primerSteps)), height - RULER);
    }
    if (roll.steps * pps - left < width) { // past the end
      ctx.fillStyle = COLORS.ruler;
      ctx.fillRect(Math.max(0, xOf(roll.steps)), RULER, width, height - RULER);
    }

    // Notes: each sounding cell, the primer's in its own colour; a held note reads as one bar.
    for (let t = Math.max(0, Math.floor(first)); t < last; t++) {
      ctx.fillStyle = t < roll.primerSteps ? COLORS.primerNote : COLORS.note;
      for (const p of roll.notes[t]) {
        if (p < low || p > high) continue;
        const cell = cellRect(t, p);
        ctx.fillRect(cell.x, cell.y, cell.width, cell.height);
      }
    }

    // Every C named at the left edge (MIDI 60 = C4), on top of the notes: the pitch axis.
    if (rowH * 12 >= 16) { // an octave tall enough for a label
      ctx.font = `${Math.min(11, Math.max(8, rowH * 2))}px system-ui, sans-serif`;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'bottom';
      for (let p = low; p <= high; p++) {
        if (p % 12 !== 0) continue;
        const y = RULER + (high - p + 1) * rowH;
        const text = `C${p / 12 - 1}`;
        ctx.fillStyle = 'rgba(255, 255, 255, 0.8)';
        ctx.fillRect(0, y - 11, ctx.measureText(text).width + 4, 11);
        ctx.fillStyle = COLORS.rulerText;
        ctx.fillText(text, 2, y);
      }
    }

    // The loop range, the primer's end, the ruler, the playhead.
    if (state.loopStart !== null && state.loopEnd !== null) {
      const a = xOf(state.loopStart);
      const b = xOf(state.loopEnd);
      ctx.fillStyle = COLORS.loop;
      ctx.fillRect(a, 0, b - a, height);
      ctx.fillStyle = COLORS.loopEdge;
      ctx.fillRect(a - 1, 0, 2, height);
      ctx.fillRect(b - 1, 0, 2, height);
    }
    const boundary = roll.primerSteps > 0 ? roll.primerSteps : roll.primerLeftOut > 0 ? 0 : null;
    ctx.fillStyle = COLORS.ruler;
    ctx.fillRect(0, 0, width, RULER);
    ruler(width, left, pps);
    if (boundary !== null) {
      const x = xOf(boundary);
      ctx.fillStyle = COLORS.primerLine;
      ctx.fillRect(x - 1, 0, 3, height);
      // The words on the ruler's own ground, over its time labels.
      ctx.font = '11px system-ui, sans-serif';
      ctx.textBaseline = 'middle';
      const label = (text, at, align) => {
        const w = ctx.measureText(text).width + 6;
        ctx.fillStyle = COLORS.primerBackground;
        ctx.fillRect(align === 'right' ? at - w : at, 1, w, RULER - 2);
        ctx.fillStyle = COLORS.primerLine;
        ctx.textAlign = align;
        ctx.fillText(text, align === 'right' ? at - 3 : at + 3, RULER / 2);
      };
      if (roll.primerSteps > 0) label('primer', x - 2, 'right');
      label('continuation', x + 3, 'left');
    }
    const px = xOf(playStep());
    ctx.fillStyle = COLORS.playhead;
    ctx.fillRect(px - 1, 0, 2, height);

    timeText.textContent = `${clock(state.time)} / ${clock(duration)}`;
    canvas.setAttribute('aria-valuenow', state.time.toFixed(1));
    canvas.setAttribute('aria-valuetext', `${clock(state.time)} of ${clock(duration)}`);
    expose(first, Math.min(roll.steps, (left + width) / pps) - first);
  }

  function ruler(width, left, pps) {
    // A label every 1, 2, 5, 10, 15, 30 or 60 s: the first at least 56 px apart.
    const every = [0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300].find((s) => (s / roll.stepSeconds) * pps >= 56) || 600;
    const pxPerSecond = pps / roll.stepSeconds;
    ctx.fillStyle = COLORS.rulerText;
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    for (let s = Math.floor(left / pxPerSecond / every) * every; s * pxPerSecond - left < width; s += every) {
      const x = s * pxPerSecond - left;
      ctx.fillRect(x, RULER - 6, 1, 6);
      ctx.fillText(every < 1 ? clock(s) : clock(s).replace(/\.0$/, ''), x + 3, RULER / 2 - 1);
    }
  }

  // Follow the playhead while playing: when it leaves the view, turn the page.
  function follow() {
    const x = playStep() * state.pps - scroller.scrollLeft;
    const width = viewWidth();
    if (x < 0 || x > width * 0.95) scroller.scrollLeft = Math.max(0, playStep() * state.pps - width * 0.05);
  }

  function seek(seconds) {
    state.time = Math.min(duration, Math.max(0, seconds));
    if (state.url && Number.isFinite(media.duration)) media.currentTime = state.time;
    draw();
  }

  // While playing: the playhead from the audio's clock, and back to the loop's start at its end.
  function update() {
    state.time = media.currentTime;
    if (state.loopOn && state.loopEnd !== null && state.time >= state.loopEnd * roll.stepSeconds) {
      state.loops += 1;
      state.time = state.loopStart * roll.stepSeconds;
      media.currentTime = state.time;
    }
    follow();
    draw();
  }

  function tick() {
    update();
    if (state.playing) state.frame = requestAnimationFrame(tick);
  }

  function setLoop(start, end) {
    if (start === null || end === null) {
      state.loopStart = start;
      state.loopEnd = end;
    } else {
      state.loopStart = Math.max(0, Math.min(start, end));
      state.loopEnd = Math.min(roll.steps, Math.max(start, end));
      if (state.loopEnd - state.loopStart < 1) state.loopEnd = Math.min(roll.steps, state.loopStart + 1);
    }
    const complete = state.loopStart !== null && state.loopEnd !== null;
    state.loopOn = complete && state.loopOn;
    loopToggle.disabled = !complete;
    loopToggle.checked = state.loopOn;
    loopClear.disabled = state.loopStart === null && state.loopEnd === null;
    loopText.textContent = complete
      ? `Loop ${clock(state.loopStart * roll.stepSeconds)}–${clock(state.loopEnd * roll.stepSeconds)} (steps ${state.loopStart}–${state.loopEnd})`
      : state.loopStart !== null ? `Loop from ${clock(state.loopStart * roll.stepSeconds)}: now set where it ends.`
        : state.loopEnd !== null ? `Loop to ${clock(state.loopEnd * roll.stepSeconds)}: now set where it starts.`
          : 'No loop: drag across the roll, or use the buttons.';
    draw();
  }

  function turnLoop(on) {
    state.loopOn = on && state.loopStart !== null && state.loopEnd !== null;
    loopToggle.checked = state.loopOn;
    if (state.loopOn) {
      const t = playStep();
      if (t < state.loopStart || t >= state.loopEnd) seek(state.loopStart * roll.stepSeconds);
    }
    draw();
  }

  async function togglePlay() {
    if (!state.url) return;
    if (media.paused) {
      try { await media.play(); } catch (error) { showError(status, error); }
    } else {
      media.pause();
    }
  }

  playButton.addEventListener('click', togglePlay);
  zoomIn.addEventListener('click', () => setZoom(state.pps * ZOOM_STEP));
  zoomOut.addEventListener('click', () => setZoom(state.pps / ZOOM_STEP));
  zoomFit.addEventListener('click', () => setZoom(fitPps()));
  loopFrom.addEventListener('click', () => setLoop(Math.floor(playStep()), state.loopEnd));
  loopTo.addEventListener('click', () => setLoop(state.loopStart, Math.ceil(playStep())));
  loopToggle.addEventListener('change', () => turnLoop(loopToggle.checked));
  loopClear.addEventListener('click', () => { state.loopOn = false; setLoop(null, null); });
  scroller.addEventListener('scroll', draw, { passive: true });
  new ResizeObserver(() => (state.fit || state.pps < fitPps() ? setZoom(fitPps()) : setZoom(state.pps))).observe(scroller);

  // Click to seek; drag to choose a loop (pointer capture keeps the drag when it leaves the canvas).
  canvas.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    canvas.setPointerCapture(e.pointerId);
    state.drag = { x: e.offsetX, moved: false };
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!state.drag) return;
    if (Math.abs(e.offsetX - state.drag.x) > 6) state.drag.moved = true;
    if (state.drag.moved) setLoop(Math.round(stepAtX(state.drag.x)), Math.round(stepAtX(e.offsetX)));
  });
  canvas.addEventListener('pointerup', (e) => {
    if (!state.drag) return;
    const { moved } = state.drag;
    state.drag = null;
    if (moved) turnLoop(true);
    else seek(stepAtX(e.offsetX) * roll.stepSeconds);
    canvas.focus();
  });
  canvas.addEventListener('keydown', (e) => {
    const keys = {
      ArrowLeft: () => seek(state.time - (e.shiftKey ? 10 : 1)),
      ArrowRight: () => seek(state.time + (e.shiftKey ? 10 : 1)),
      PageUp: () => seek(state.time - 10),
      PageDown: () => seek(state.time + 10),
      Home: () => seek(0),
      End: () => seek(duration),
      ' ': togglePlay,
      '+': () => setZoom(state.pps * ZOOM_STEP),
      '=': () => setZoom(state.pps * ZOOM_STEP),
      '-': () => setZoom(state.pps / ZOOM_STEP),
      '[': () => loopFrom.click(),
      ']': () => loopTo.click(),
    };
    const act = keys[e.key];
    if (!act) return;
    e.preventDefault();
    act();
    follow();
    draw();
  });

  media.addEventListener('play', () => {
    state.playing = true;
    playButton.textContent = 'Pause';
    playButton.setAttribute('aria-label', 'Pause');
    cancelAnimationFrame(state.frame);
    state.frame = requestAnimationFrame(tick);
  });
  media.addEventListener('pause', () => {
    state.playing = false;
    playButton.textContent = 'Play';
    playButton.setAttribute('aria-label', 'Play');
    cancelAnimationFrame(state.frame);
    state.time = Math.min(duration, media.currentTime);
    draw();
  });
  media.addEventListener('seeked', () => { if (!state.playing) { state.time = Math.min(duration, media.currentTime); draw(); } });
  media.addEventListener('ended', () => {
    if (state.loopOn) { state.loops += 1; seek(state.loopStart * roll.stepSeconds); media.play().catch(() => {}); }
  });
  // The audio runs a little past the roll (the last notes' release); the looped part is what the roll shows.
  // rAF pauses in a hidden tab; the audio's own time updates keep the loop there.
  media.addEventListener('timeupdate', () => { if (state.loopOn && state.playing) update(); });

  async function loadAudio() {
    if (!audio) {
      replace(status, h('p', { class: 'muted' }, unavailable || 'Playing in the page is not available on this server; the roll is still here to read.'));
      return;
    }
    replace(status, h('p', { class: 'muted', role: 'status' }, 'Rendering the audio…'));
    try {
      const blob = await audio();
      state.url = URL.createObjectURL(blob);
      media.addEventListener('loadedmetadata', () => {
        playButton.disabled = false;
        replace(status);
        if (state.time > 0) media.currentTime = state.time;
      }, { once: true });
      media.src = state.url;
    } catch (error) {
      replace(status);
      showError(status, error);
    }
  }

  /** Where cell (step, pitch) is drawn now, in CSS pixels of the canvas (what a test probes). */
  root.cellRect = cellRect;

  /** Stops the audio and lets the blob go (call before the element is thrown away). */
  root.destroy = () => {
    media.pause();
    cancelAnimationFrame(state.frame);
    if (state.url) URL.revokeObjectURL(state.url);
  };

  // Opened at the whole piece when that is readable, else at a readable zoom from the start.
  requestAnimationFrame(() => {
    const fit = fitPps();
    const readable = Math.max(READABLE_MIN_PPS, READABLE_PX_PER_SECOND * roll.stepSeconds);
    setZoom(fit >= readable / 2 ? fit : readable, 0);
  });
  setLoop(null, null);
  loadAudio();
  return root;
}

/** "Listen to my upload": an accepted corpus file's roll and its audio, in `box` (from renderCorpus's `listen`). */
export async function playCorpusFile(corpusId, file, box) {
  for (const old of box.querySelectorAll('.player')) old.destroy?.();
  replace(box, h('h3', {}, file.fileName), h('p', { class: 'muted', role: 'status' }, 'Loading the piano-roll…'));
  box.scrollIntoView({ block: 'nearest' });
  try {
    const [roll, audioStatus] = await Promise.all([
      getJson(`/api/corpora/${corpusId}/files/${file.id}/roll`),
      getJson('/api/audio/status').catch(() => ({ available: false, message: '' })),
    ]);
    const inner = h('div');
    replace(box, h('h3', {}, file.fileName), inner);
    mountPlayer(inner, rollFromCorpusFile(roll), {
      audio: audioStatus.available ? async () => (await request(`/api/corpora/${corpusId}/files/${file.id}/audio`)).blob() : null,
      unavailable: `Playing in the page is not available on this server. ${audioStatus.message || ''}`,
      audioId: 'file-audio',
      label: `Piano-roll player: ${file.fileName}`,
    });
  } catch (error) {
    replace(box);
    showError(box, error);
  }
}

/** Puts a player into `box`, first stopping the one that was there. */
export function mountPlayer(box, roll, options) {
  for (const old of box.querySelectorAll('.player')) old.destroy?.();
  const player = createPlayer(roll, options);
  replace(box, player);
  return player;
}
