import { getJson, request, h, replace, showError, checkConstraints, jsonWithInteger, applyOptions } from '../api.js';
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
}

async function loadRecipes() {
  try {
    recipes = await getJson('/api/trainings/recipes');
    const label = { default: 'Recommended (the project\'s general recipe)', seed: 'Tutorial (the original code, exactly)' };
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
fillCorpusSelect(select, message);
loadRules();
