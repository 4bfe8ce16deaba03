// Every page: the API key dialog and the server status line in the footer.
import { apiKey, getJson } from './api.js';

const dialog = document.getElementById('api-key-dialog');
const input = document.getElementById('api-key-input');
const label = document.getElementById('api-key-label');
const opener = document.getElementById('api-key-open');

function refreshLabel() {
  label.textContent = apiKey.get() ? 'API key ✓' : 'API key';
  opener.setAttribute('aria-label', apiKey.get() ? 'API key (saved)' : 'API key (none saved)');
}

function openDialog() {
  input.value = apiKey.get();
  dialog.showModal();
  input.focus();
}

opener.addEventListener('click', openDialog);
document.addEventListener('rnnrbm:askkey', openDialog);
document.addEventListener('rnnrbm:apikey', refreshLabel);
dialog.addEventListener('close', () => {
  if (dialog.returnValue === 'save') apiKey.set(input.value.trim());
  else if (dialog.returnValue === 'clear') apiKey.set('');
  opener.focus();
});
refreshLabel();

getJson('/healthz/ready').then((health) => {
  const numerics = health && health.numerics ? ` · numerics: ${health.numerics.backend}` : '';
  document.getElementById('server-status').textContent = `Server ${health.status || 'up'}${numerics}`;
}).catch(() => {
  document.getElementById('server-status').textContent = 'Server health unknown.';
});
