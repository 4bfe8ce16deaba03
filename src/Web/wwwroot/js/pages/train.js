import { getJson, request, h, replace, showError, checkConstraints, jsonWithInteger, applyOptions, alertBox, noteName } from '../api.js';
import { fillCorpusSelect } from '../corpus-view.js';

const form = document.getElementById('train-form');
const message = document.getElementById('train-message');
const select = document.getElementById('corpusId');
const button = document.getElementById('train-button');
const numeric = ['dt', 'stepsPerQuarter', 'lowestPitch', 'highestPitch', 'hidden', 'recurrent', 'learningRate', 'learningRateDecay', 'momentum', 'clipNorm', 'batchSize', 'cdK', 'epochs',
  'transpose', 'rbmPretrainEpochs', 'rnnPretrainEpochs', 'pretrainLearningRate', 'patience'];
const flags = ['learnU0', 'carryState', 'keepBest'];
const recipeSelect = document.getElementById('recipe');
let recipes = [];
// The fields' values before a recipe is applied: the API's defaults (GET /api/trainings/options), once read.
let defaults = {};
const flagDefaults = Object.fromEntries(flags.map((n) => [n, document.getElementById(n).checked]));

function gridKind() {
  return form.querySelector('input[name="gridKind"]:checked').value;
}

function showGrid() {
  const kind = gridKind();
  document.getElementById('dt-field').hidden = kind !== 'dt';
  document.getElementById('spq-field').hidden = kind !== 'stepsPerQuarter';
  document.getElementById('dt').required = kind === 'dt';
  document.getElementById('stepsPerQuarter').required = kind === 'stepsPerQuarter';
}
form.querySelectorAll('input[name="gridKind"]').forEach((r) => r.addEventListener('change', showGrid));

// Fills every field with the chosen recipe's values (GET /api/trainings/recipes): the page copies no default itself.
function applyRecipe() {
  const recipe = recipes.find((r) => r.name === recipeSelect.value);
  if (!recipe) {
    for (const [name, value] of Object.entries(defaults)) document.getElementById(name).value = value;
    for (const [name, checked] of Object.entries(flagDefaults)) document.getElementById(name).checked = checked;
    return;
  }
  const d = recipe.defaults;
  for (const name of numeric) {
    if (d[name] != null) document.getElementById(name).value = d[name];
  }
  for (const name of flags) document.getElementById(name).checked = !!d[name];
  document.getElementById('recurrence').value = d.recurrence || 'tanh';
  document.getElementById('seed').value = '';
  form.querySelector(`input[name="gridKind"][value="${d.stepsPerQuarter != null ? 'stepsPerQuarter' : 'dt'}"]`).checked = true;
  document.getElementById('recipe-hint').textContent = recipe.description;
  showGrid();
  applyCorpusRange();
}

// The pitch range follows the chosen corpus (GET /api/corpora/{id}: the keys it plays and the range offered, a margin
// around them), until the person types a range of their own.
let corpusRange = null;
let pitchTouched = false;
const pitchHint = document.getElementById('pitch-range-hint');
for (const name of ['lowestPitch', 'highestPitch']) {
  document.getElementById(name).addEventListener('input', () => { pitchTouched = true; });
}

function applyCorpusRange() {
  if (!corpusRange || pitchTouched) return;
  document.getElementById('lowestPitch').value = corpusRange.suggestedLowest;
  document.getElementById('highestPitch').value = corpusRange.suggestedHighest;
}

async function loadCorpusRange() {
  corpusRange = null;
  const id = select.value;
  if (!id) {
    pitchHint.textContent = 'Choose a corpus: the range is set to the keys it plays, plus a margin.';
    return;
  }
  try {
    const corpus = await getJson(`/api/corpora/${id}`);
    if (id !== select.value) return; // another corpus was chosen meanwhile
    const p = corpus.playedPitches;
    if (!p) {
      pitchHint.textContent = `“${corpus.name}” has no notes to measure; the range stays as it is.`;
      return;
    }
    corpusRange = p;
    pitchHint.textContent = `“${corpus.name}” plays ${p.lowestName}–${p.highestName} (MIDI ${p.lowest}–${p.highest}); ` +
      `the range offered is that with a few notes' margin, ${noteName(p.suggestedLowest)}–${noteName(p.suggestedHighest)}` +
      (pitchTouched ? '. You have set your own.' : '.');
    applyCorpusRange();
  } catch (error) {
    pitchHint.textContent = 'The corpus\'s keys could not be read; the range stays as it is.';
  }
}
select.addEventListener('change', () => { pitchTouched = false; loadCorpusRange(); });

// Quick try: the demo corpus (the one the service bundles) and the quick recipe, filled in for the person to start.
const DEMO_CORPUS = 'Nottingham demo';
document.getElementById('quick-try').addEventListener('click', async () => {
  await ready; // the corpora and the recipes, before choosing among them
  const demo = [...select.options].find((o) => o.textContent.startsWith(`${DEMO_CORPUS} (`));
  if (demo) select.value = demo.value;
  if (!select.value) {
    replace(message, alertBox('info', 'No demo corpus here.', null, h('p', {}, 'Choose a corpus of your own above, or ', h('a', { href: '/corpora' }, 'upload MIDI files'), '.')));
    select.focus();
    return;
  }
  if (recipes.some((r) => r.name === 'quick')) recipeSelect.value = 'quick';
  pitchTouched = false;
  applyRecipe();
  await loadCorpusRange();
  const chosen = select.options[select.selectedIndex].textContent.replace(/ \(.*$/, '');
  replace(message, alertBox('info', 'Quick try filled in.', `On “${chosen}” with the quick recipe: press “Start training” below.`));
  button.scrollIntoView({ block: 'center' });
  button.focus();
});

async function loadRecipes() {
  try {
    recipes = await getJson('/api/trainings/recipes');
    const label = { default: 'Recommended (the project\'s general recipe)', seed: 'Tutorial (the original code, exactly)', quick: 'Quick try (a small model in a few minutes)' };
    recipeSelect.replaceChildren(...recipes.map((r) => h('option', { value: r.name }, label[r.name] || r.name)));
    recipeSelect.value = recipes.length ? recipes[0].name : 'default';
    applyRecipe();
  } catch (error) {
    document.getElementById('recipe-hint').textContent = 'The recipes could not be loaded; the fields keep the page\'s values.';
  }
}
recipeSelect.addEventListener('change', applyRecipe);
document.getElementById('train-defaults').addEventListener('click', applyRecipe);

// Inline checks as the user leaves a field: the browser's own constraint message, beside the field.
form.addEventListener('focusout', (e) => {
  const input = e.target;
  if (!(input instanceof HTMLInputElement) || !input.dataset.field) return;
  const target = form.querySelector(`[data-error-for="${input.dataset.field}"]`);
  if (!target) return;
  if (input.checkValidity()) { target.textContent = ''; input.removeAttribute('aria-invalid'); }
  else { target.textContent = input.validationMessage; input.setAttribute('aria-invalid', 'true'); }
});


form.addEventListener('submit', async (e) => {
  e.preventDefault();
  replace(message);
  if (!checkConstraints(form)) return;
  const body = { corpusId: select.value, recipe: recipeSelect.value };
  const kind = gridKind();
  for (const name of numeric) {
    if (name === 'dt' && kind !== 'dt') continue;
    if (name === 'stepsPerQuarter' && kind !== 'stepsPerQuarter') continue;
    body[name] = Number(document.getElementById(name).value);
  }
  for (const name of flags) body[name] = document.getElementById(name).checked;
  body.recurrence = document.getElementById('recurrence').value;
  const seed = document.getElementById('seed').value.trim();
  button.disabled = true;
  try {
    // The seed is an unsigned 64-bit integer: written as typed, never through a JS number.
    const text = jsonWithInteger(body, 'seed', seed);
    const response = await fetchTraining(text);
    location.href = `/trainings/${response.id}`;
  } catch (error) {
    showError(message, error, form);
  } finally {
    button.disabled = false;
  }
});

async function fetchTraining(text) {
  const response = await request('/api/trainings', { method: 'POST', body: text, headers: { 'Content-Type': 'application/json' } });
  return response.json();
}

// The bounds and defaults first (the page copies none), then the recipes' values over them.
async function loadRules() {
  try {
    await applyOptions(form, '/api/trainings/options');
  } catch (error) {
    showError(message, error);
  }
  defaults = Object.fromEntries(numeric.map((n) => [n, document.getElementById(n).value]));
  await loadRecipes();
}

showGrid();
const corporaLoaded = fillCorpusSelect(select, message);
const ready = loadRules().then(() => corporaLoaded).then(() => { if (select.value) return loadCorpusRange(); return null; });
