// The warning after an import or upload whose content the service already held (the API's sameContentAs / sameFilesAs,
// by SHA-256): nothing was dropped; the person chooses to use the existing one (the new copy is deleted) or keep both.
import { request, h, replace, alertBox, showError, fmtDate } from './api.js';

/**
 * Shows the warning in `box`. `existing`: [{ id, name, createdUtc? }] with the same content; `deletePath`: the new
 * copy's API path; `openPath(id)`: the page of an item; `onKeep()`: what "Keep both" does.
 */
export function showDuplicateWarning(box, { what, newName, existing, deletePath, openPath, onKeep }) {
  const first = existing[0];
  const useExisting = h('button', { type: 'button', class: 'button', id: 'use-existing' }, `Use the existing one (“${first.name}”)`);
  const keep = h('button', { type: 'button', class: 'button button-quiet', id: 'keep-both' }, 'Keep both');
  const status = h('div', { 'aria-live': 'polite' });
  useExisting.addEventListener('click', async () => {
    useExisting.disabled = keep.disabled = true;
    try {
      // Only the copy just made goes; the existing one is untouched.
      await request(deletePath, { method: 'DELETE' });
      location.href = openPath(first.id);
    } catch (error) {
      useExisting.disabled = keep.disabled = false;
      showError(status, error);
    }
  });
  keep.addEventListener('click', () => { replace(box); if (onKeep) onKeep(); });
  replace(box, h('div', { id: 'duplicate-warning' }, alertBox('warning', `You already have this ${what}.`,
    `“${newName}” has the same content as ${existing.length === 1 ? 'one you added before' : `${existing.length} you added before`}:`,
    h('ul', {}, existing.map((e) => h('li', {}, h('a', { href: openPath(e.id) }, e.name), e.createdUtc ? ` (added ${fmtDate(e.createdUtc)})` : '', e.note ? ` · ${e.note}` : ''))),
    h('p', {}, 'Both are kept until you choose.'),
    h('div', { class: 'button-row' }, useExisting, keep), status)));
  useExisting.focus();
}
