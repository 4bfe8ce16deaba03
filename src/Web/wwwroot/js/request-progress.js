// The progress of a request that answers only when its work is done (a generation, a score): the page sends a random
// id in X-Progress-Id with it and polls GET /api/progress/{id} meanwhile, showing a bar, the percentage and, once the
// server can tell, the time left. What is shown never goes back.
import { request, h, replace, fmtDuration } from './api.js';

const POLL_MS = 400;

/** A random id for X-Progress-Id (crypto.getRandomValues: also on plain http, where randomUUID is missing). */
export function newProgressId() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/**
 * Shows the progress of request `id` in `box` (`what`: "the generation", "the score") until `stop()` is called.
 * Before the server has started the work (waiting for a slot) it says so.
 */
export function followProgress(id, box, what) {
  let shown = 0;
  let timer = null;
  let stopped = false;
  const bar = h('progress', { max: '1', value: '0', 'aria-label': `Progress of ${what}` });
  const percent = h('span', { class: 'percent' });
  const left = h('span', { class: 'time-left' }, 'waiting to start…');
  replace(box, h('div', { class: 'request-progress', role: 'status' }, bar, ' ', percent, ' ', left));
  box.hidden = false;

  async function poll() {
    timer = null;
    try {
      const p = await (await request(`/api/progress/${id}`)).json();
      if (stopped) return;
      shown = Math.max(shown, p.fraction || 0);
      const pct = `${Math.floor(100 * shown)} %`;
      bar.value = shown;
      bar.setAttribute('aria-valuetext', pct);
      percent.textContent = pct;
      left.textContent = p.finished ? 'finishing…'
        : p.secondsLeft != null ? `about ${fmtDuration(Math.max(1, Math.round(p.secondsLeft)))} left`
          : 'measuring the time left…';
    } catch {
      // 404 until the server starts the work (a busy slot), and a lost poll is not worth an error: the request says how it ended.
    }
    if (!stopped) timer = setTimeout(poll, POLL_MS);
  }
  timer = setTimeout(poll, POLL_MS / 2);
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      box.hidden = true;
      replace(box);
    },
  };
}
