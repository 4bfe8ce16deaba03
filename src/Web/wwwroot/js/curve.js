// Draws a training curve (monitor per epoch, train and valid) into an <svg>, from the API's history items
// ({epoch, train, valid}). Redrawn whole on each update: a few hundred points at most.

const NS = 'http://www.w3.org/2000/svg';
const W = 640, H = 300, L = 64, R = 16, T = 28, B = 40;

function s(tag, attrs = {}, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

function niceTicks(min, max, count) {
  if (min === max) { min -= 1; max += 1; }
  const span = max - min;
  const step0 = Math.pow(10, Math.floor(Math.log10(span / count)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * step0).find((st) => span / st <= count) || step0 * 10;
  const ticks = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function fmt(v) {
  const a = Math.abs(v);
  return a >= 1000 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toFixed(3);
}

/** Returns a sentence describing the curve (for the caption and screen readers). */
export function drawCurve(svg, history) {
  svg.replaceChildren();
  const points = (history || []).filter((e) => e && (Number.isFinite(e.train) || Number.isFinite(e.valid)));
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  if (!points.length) {
    svg.append(s('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'tick' }, 'The curve appears after the first epoch.'));
    return 'No epoch finished yet.';
  }
  const values = points.flatMap((e) => [e.train, e.valid]).filter(Number.isFinite);
  let min = Math.min(...values), max = Math.max(...values);
  const pad = (max - min) * 0.08 || Math.abs(max) * 0.05 || 1;
  min -= pad; max += pad;
  const lastEpoch = Math.max(...points.map((e) => e.epoch), 1);
  const firstEpoch = Math.min(...points.map((e) => e.epoch), 1);
  const x = (epoch) => L + (lastEpoch === firstEpoch ? (W - L - R) / 2 : (epoch - firstEpoch) / (lastEpoch - firstEpoch) * (W - L - R));
  const y = (v) => T + (max - v) / (max - min) * (H - T - B);

  for (const t of niceTicks(min, max, 5)) {
    if (t < min || t > max) continue;
    svg.append(s('line', { x1: L, x2: W - R, y1: y(t), y2: y(t), class: 'grid' }));
    svg.append(s('text', { x: L - 8, y: y(t) + 4, 'text-anchor': 'end', class: 'tick' }, fmt(t)));
  }
  const epochTicks = firstEpoch === lastEpoch ? [firstEpoch] : niceTicks(firstEpoch, lastEpoch, 8).filter((v) => Number.isInteger(v) && v >= firstEpoch && v <= lastEpoch);
  for (const t of epochTicks) {
    svg.append(s('text', { x: x(t), y: H - B + 18, 'text-anchor': 'middle', class: 'tick' }, String(t)));
  }
  svg.append(s('line', { x1: L, x2: W - R, y1: H - B, y2: H - B, class: 'axis' }));
  svg.append(s('line', { x1: L, x2: L, y1: T, y2: H - B, class: 'axis' }));
  svg.append(s('text', { x: (L + W - R) / 2, y: H - 6, 'text-anchor': 'middle', class: 'tick' }, 'epoch'));
  svg.append(s('text', { x: 14, y: (T + H - B) / 2, 'text-anchor': 'middle', class: 'tick', transform: `rotate(-90 14 ${(T + H - B) / 2})` }, 'monitor'));

  const series = [['train', 'Train'], ['valid', 'Valid']];
  let legendX = L + 8;
  for (const [key, label] of series) {
    const pts = points.filter((e) => Number.isFinite(e[key]));
    if (!pts.length) continue;
    if (pts.length > 1) svg.append(s('polyline', { points: pts.map((e) => `${x(e.epoch).toFixed(1)},${y(e[key]).toFixed(1)}`).join(' '), class: `series-${key}` }));
    if (pts.length <= 60) for (const e of pts) svg.append(s('circle', { cx: x(e.epoch), cy: y(e[key]), r: 3.2, class: `dot-${key}` }));
    svg.append(s('line', { x1: legendX, x2: legendX + 22, y1: 14, y2: 14, class: `series-${key}` }));
    svg.append(s('text', { x: legendX + 28, y: 18, class: 'legend' }, label));
    legendX += 90;
  }
  const last = points[points.length - 1];
  const parts = [`${points.length} epoch${points.length === 1 ? '' : 's'}`];
  if (Number.isFinite(last.train)) parts.push(`train ${fmt(last.train)}`);
  if (Number.isFinite(last.valid)) parts.push(`valid ${fmt(last.valid)}`);
  return `Monitor per epoch: ${parts.join(', ')} at epoch ${last.epoch}.`;
}
