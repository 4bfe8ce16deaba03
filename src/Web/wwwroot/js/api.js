// The one door to the RnnRbm HTTP API: fetch with the API key, problem+json turned into readable errors,
// XMLHttpRequest uploads with progress. Everything the pages do goes through the public API.

const KEY_STORAGE = 'rnnrbm.apiKey';

export const apiKey = {
  get() {
    try { return localStorage.getItem(KEY_STORAGE) || ''; } catch { return ''; }
  },
  set(value) {
    try {
      if (value) localStorage.setItem(KEY_STORAGE, value); else localStorage.removeItem(KEY_STORAGE);
    } catch { /* private mode: the key lasts this page only */ }
    document.dispatchEvent(new CustomEvent('rnnrbm:apikey'));
  },
};

const PROBE_MS = 3000;

/**
 * Whether the server answers, for every page: a request that cannot reach it marks it lost (event "rnnrbm:offline"),
 * after which /healthz is asked every few seconds until it answers (event "rnnrbm:online"). Pages listen, to stop
 * claiming to be live and to pick up where they were.
 */
export const serverConnection = {
  online: true,
  timer: null,
  lost() {
    if (!this.online) return;
    this.online = false;
    document.dispatchEvent(new CustomEvent('rnnrbm:offline'));
    this.watch();
  },
  answered() {
    if (this.online) return;
    this.online = true;
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    document.dispatchEvent(new CustomEvent('rnnrbm:online'));
  },
  watch() {
    if (this.timer) return;
    this.timer = setTimeout(async () => {
      this.timer = null;
      if (this.online) return;
      if (await this.probe()) return;
      this.watch();
    }, PROBE_MS);
  },
  /** Asks /healthz (the process answers); true when it did. Marks the connection lost or back accordingly. */
  async probe() {
    try {
      await fetch('/healthz', { cache: 'no-store' });
      this.answered();
      return true;
    } catch {
      this.lost();
      return false;
    }
  },
};

/** An API error in words: status, title, detail and, for a 400, the bad fields. */
export class ApiError extends Error {
  constructor(status, title, detail, errors) {
    super(detail || title);
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.errors = errors || {};
  }
}

const UNAUTHORIZED_HINT = 'This server needs its API key for changes. Enter it with the “API key” button at the top of the page, then try again.';

function problemFromText(status, text, statusText) {
  let problem = null;
  try { problem = text ? JSON.parse(text) : null; } catch { problem = null; }
  if (status === 401) {
    const given = apiKey.get() ? 'The API key saved in this browser was refused. ' : '';
    return new ApiError(401, 'API key required', given + UNAUTHORIZED_HINT, {});
  }
  if (problem && typeof problem === 'object' && (problem.title || problem.detail || problem.errors)) {
    return new ApiError(status, problem.title || `Error ${status}`, problem.detail || '', problem.errors || {});
  }
  if (status === 413) return new ApiError(413, 'Too large', 'The server refused the request because it is too large.', {});
  if (status === 0) return new ApiError(0, 'The server could not be reached', 'Check that RnnRbm is running and try again.', {});
  return new ApiError(status, `The server answered ${status} ${statusText || ''}`.trim(), '', {});
}

function headersWith(extra = {}) {
  const headers = new Headers(extra);
  const key = apiKey.get();
  if (key) headers.set('X-Api-Key', key);
  return headers;
}

/** fetch with the API key; resolves to the Response when 2xx, throws ApiError otherwise. */
export async function request(path, { method = 'GET', json, body, headers = {}, signal } = {}) {
  const allHeaders = headersWith(headers);
  let payload = body;
  if (json !== undefined) {
    allHeaders.set('Content-Type', 'application/json');
    payload = JSON.stringify(json);
  }
  let response;
  try {
    response = await fetch(path, { method, headers: allHeaders, body: payload, signal });
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    serverConnection.lost();
    throw problemFromText(0, '', '');
  }
  serverConnection.answered();
  if (!response.ok) {
    const text = await response.text().catch(() => '');
    throw problemFromText(response.status, text, response.statusText);
  }
  return response;
}

export const getJson = async (path, options) => (await request(path, options)).json();

/**
 * JSON of `body` with `name` set to the number typed in `text` (nothing when empty), written as typed: a seed may need
 * more bits than a JS number keeps exactly. Text that is no JSON number goes as a string, for the API to name the field.
 */
export function jsonWithInteger(body, name, text) {
  const json = JSON.stringify(body);
  if (!text) return json;
  const value = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text) ? text : JSON.stringify(text);
  return json === '{}' ? `{${JSON.stringify(name)}:${value}}` : `${json.slice(0, -1)},${JSON.stringify(name)}:${value}}`;
}

export const postJson = (path, data, options = {}) => request(path, { ...options, method: 'POST', json: data });

/** POST a FormData with XMLHttpRequest, reporting upload progress (0..1) as it goes; resolves to the parsed JSON. */
export function upload(path, formData, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    const key = apiKey.get();
    if (key) xhr.setRequestHeader('X-Api-Key', key);
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total, e.loaded, e.total);
    });
    xhr.upload.addEventListener('load', () => onProgress && onProgress(1, 1, 1, true));
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try { resolve(xhr.responseText ? JSON.parse(xhr.responseText) : null); } catch { resolve(null); }
      } else {
        reject(problemFromText(xhr.status, xhr.responseText, xhr.statusText));
      }
    });
    xhr.addEventListener('error', () => { serverConnection.lost(); reject(problemFromText(0, '', '')); });
    xhr.addEventListener('abort', () => reject(new ApiError(0, 'Upload cancelled', '', {})));
    xhr.send(formData);
  });
}

// ---- DOM helpers (text only: nothing from the server is ever parsed as HTML) ----

/** h('a', {href: '/x', class: 'y'}, 'text', child) */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') el.className = value;
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(container, ...children) {
  container.replaceChildren();
  append(container, children);
}

/** A message box: kind 'error' | 'success' | 'info' | 'warning'. */
export function alertBox(kind, title, detail, ...extra) {
  return h('div', { class: `alert alert-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    title ? h('strong', {}, title) : null,
    detail ? h('p', {}, detail) : null,
    ...extra);
}

/** Shows an error in words in a container; 400 field errors also go beside their fields in `form`. */
export function showError(container, error, form) {
  clearFieldErrors(form);
  if (!(error instanceof ApiError)) {
    console.error(error);
    error = new ApiError(0, 'Something went wrong in the page', String(error && error.message || error), {});
  }
  if (form) error = withLabels(error, form);
  const placed = form ? placeFieldErrors(form, error.errors) : new Set();
  const unplaced = Object.entries(error.errors || {}).filter(([field]) => !placed.has(field));
  const list = unplaced.length
    ? h('ul', {}, unplaced.map(([field, messages]) => h('li', {}, `${field}: ${[].concat(messages).join(' ')}`)))
    : null;
  const extra = [];
  if (error.status === 401) {
    extra.push(h('button', { type: 'button', class: 'button button-quiet', onclick: () => document.dispatchEvent(new CustomEvent('rnnrbm:askkey')) }, 'Enter the API key'));
  }
  const detail = error.detail || (placed.size ? 'See the fields marked below.' : '');
  if (container) replace(container, alertBox('error', error.title, detail, list, ...extra));
  const first = form && form.querySelector('[aria-invalid="true"]');
  if (first) first.focus();
  else if (container) container.scrollIntoView({ block: 'nearest' });
}

/**
 * The API names fields as its JSON does ("highestPitch (50) must be at least lowestPitch (100)"); on a form, the
 * person reads the labels: each camelCase field name the form has is replaced by its label, in quotes.
 */
function withLabels(error, form) {
  const labels = [];
  for (const input of form.querySelectorAll('[data-field]')) {
    const field = input.dataset.field;
    if (!/[A-Z]/.test(field) || !input.id) continue;
    const label = form.querySelector(`label[for="${CSS.escape(input.id)}"]`);
    const text = label && label.textContent.trim();
    if (text) labels.push([new RegExp(`\\b${field}\\b`, 'g'), `“${text}”`]);
  }
  if (!labels.length) return error;
  const say = (text) => labels.reduce((t, [pattern, label]) => t.replace(pattern, label), String(text));
  const errors = Object.fromEntries(Object.entries(error.errors || {}).map(([field, messages]) => [field, [].concat(messages).map(say)]));
  return new ApiError(error.status, error.title && say(error.title), error.detail && say(error.detail), errors);
}

export function clearFieldErrors(form) {
  if (!form) return;
  form.querySelectorAll('[data-error-for]').forEach((p) => { p.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
}

/** Puts each field's messages beside the field (matched case-insensitively, "hidden" or "Hidden" or "request.hidden"). */
function placeFieldErrors(form, errors) {
  const placed = new Set();
  for (const [field, messages] of Object.entries(errors || {})) {
    const name = field.split('.').pop().replace(/\[.*\]$/, '').toLowerCase();
    const target = [...form.querySelectorAll('[data-error-for]')].find((p) => p.dataset.errorFor.toLowerCase() === name);
    if (!target) continue;
    target.textContent = [].concat(messages).join(' ');
    const input = [...form.querySelectorAll('[data-field]')].find((i) => i.dataset.field.toLowerCase() === name);
    if (input) {
      const focusable = input.matches('input,select,textarea') ? input : input.querySelector('input,select,textarea');
      (focusable || input).setAttribute('aria-invalid', 'true');
    }
    placed.add(field);
  }
  return placed;
}

/** Checks the HTML constraints, writing the browser's message beside each bad field; true when all are good. */
export function checkConstraints(form) {
  clearFieldErrors(form);
  let ok = true;
  let first = null;
  for (const input of form.querySelectorAll('input,select,textarea')) {
    if (input.disabled || input.closest('[hidden]')) continue;
    if (!input.checkValidity()) {
      ok = false;
      const field = input.dataset.field || input.name;
      const target = form.querySelector(`[data-error-for="${CSS.escape(field)}"]`);
      if (target) target.textContent = input.validationMessage;
      input.setAttribute('aria-invalid', 'true');
      first = first || input;
    }
  }
  if (first) first.focus();
  return ok;
}

// ---- formatting ----

export function fmtDate(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function fmtNumber(value, digits = 0) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  return Number(value).toLocaleString(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function fmtDuration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  const hours = Math.floor(m / 60);
  return `${hours} h ${String(m % 60).padStart(2, '0')} min`;
}

export function fmtBytes(bytes) {
  if (!Number.isFinite(bytes)) return '–';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function fmtGrid(grid) {
  if (!grid) return '–';
  if (grid.kind === 'seconds') return `${grid.seconds} s per step`;
  if (grid.kind === 'beats') return `${grid.stepsPerQuarter} steps per quarter note`;
  return grid.kind;
}

const NOTE_NAMES = ['C', 'C♯', 'D', 'D♯', 'E', 'F', 'F♯', 'G', 'G♯', 'A', 'A♯', 'B'];
export function noteName(midi) {
  return `${NOTE_NAMES[midi % 12]}${Math.floor(midi / 12) - 1}`;
}

export function stateBadge(state) {
  return h('span', { class: `badge badge-${state}` }, state);
}

/** Sets the document title's first part. */
export function setTitle(title) {
  document.title = `${title} · RnnRbm`;
}

// ---- the API's rules ----

/**
 * Writes a feature's bounds and defaults (GET /api/<feature>/options, Core's declaration, the one the API checks)
 * into the form's number inputs, so that the page copies no limit: min, max and step of every input whose
 * data-field the API declares; its value when empty (or, with data-default="placeholder", its placeholder).
 * Marks the form data-options="loaded" (or "failed") and returns the options.
 */
export async function applyOptions(form, path) {
  try {
    const options = await getJson(path);
    for (const input of form.querySelectorAll('input[type="number"][data-field]')) {
      const field = options.fields[input.dataset.field];
      if (!field) continue;
      for (const [name, value] of [['min', field.minimum], ['max', field.maximum]]) {
        if (value == null) input.removeAttribute(name);
        else input.setAttribute(name, String(value));
      }
      input.setAttribute('step', field.wholeNumber ? '1' : 'any');
      if (field.default != null) {
        if (input.dataset.default === 'placeholder') input.placeholder = String(field.default);
        else if (input.dataset.default !== 'none' && input.value === '') input.value = String(field.default);
      }
    }
    form.dataset.options = 'loaded';
    return options;
  } catch (error) {
    form.dataset.options = 'failed';
    throw error;
  }
}
