// Every page: the API key dialog and the server status line in the footer.
import { apiKey, getJson, serverConnection } from './api.js';

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

const status = document.getElementById('server-status');

function showHealth() {
  getJson('/healthz/ready').then((health) => {
    const numerics = health && health.numerics ? ` · numerics: ${health.numerics.backend}` : '';
    status.textContent = `Server ${health.status || 'up'}${numerics}`;
  }).catch(() => {
    status.textContent = serverConnection.online ? 'Server health unknown.' : 'Server unreachable.';
  });
}

// While the server cannot be reached, every page says so at its top (and the footer stops calling it healthy).
const banner = document.createElement('div');
banner.id = 'connection-banner';
banner.className = 'alert alert-warning connection-banner';
banner.setAttribute('role', 'status');
banner.hidden = true;
banner.append(Object.assign(document.createElement('strong'), { textContent: 'The server cannot be reached.' }),
  Object.assign(document.createElement('p'), { textContent: 'What this page shows may be out of date. It tries again every few seconds and carries on by itself when the server is back.' }));
document.getElementById('main').prepend(banner);
document.addEventListener('rnnrbm:offline', () => {
  banner.hidden = false;
  status.textContent = 'Server unreachable.';
});
document.addEventListener('rnnrbm:online', () => {
  banner.hidden = true;
  showHealth();
});
showHealth();
