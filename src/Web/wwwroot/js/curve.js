// Draws a training curve into an <svg>, from the API's history items ({epoch, train, valid, validLogLikelihood,
// validConverged}): the validation log-likelihood (what early stopping judges by) as the main series, and the seed's
// monitor on train and valid as thin lines beside it. All are nats per step, higher is better. Redrawn whole on each
// update: a few hundred points at most. `best` (an epoch) is marked when given.

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
export function drawCurve(svg, history, best) {
  svg.replaceChildren();
  const points = (history || []).filter((e) => e && (Number.isFinite(e.train) || Number.isFinite(e.valid) || Number.isFinite(e.validLogLikelihood)));
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  if (!points.length) {
    svg.append(s('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'tick' }, 'The curve appears after the first epoch.'));
    return 'No epoch finished yet.';
  }
  const values = points.flatMap((e) => [e.train, e.valid, e.validLogLikelihood]).filter(Number.isFinite);
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
  svg.append(s('text', { x: 14, y: (T + H - B) / 2, 'text-anchor': 'middle', class: 'tick', transform: `rotate(-90 14 ${(T + H - B) / 2})` }, 'nats per step'));

  const series = [['validLogLikelihood', 'Valid log-likelihood'], ['train', 'Monitor, train'], ['valid', 'Monitor, valid']];
  let legendX = L + 8;
  for (const [key, label] of series) {
    const pts = points.filter((e) => Number.isFinite(e[key]));
    if (!pts.length) continue;
    if (pts.length > 1) svg.append(s('polyline', { points: pts.map((e) => `${x(e.epoch).toFixed(1)},${y(e[key]).toFixed(1)}`).join(' '), class: `series-${key}` }));
    if (pts.length <= 60 || key === 'validLogLikelihood') {
      for (const e of pts) {
        // An estimate whose AIS schedule had not converged is drawn hollow: it may read too high.
        const hollow = key === 'validLogLikelihood' && e.validConverged === false;
        svg.append(s('circle', { cx: x(e.epoch), cy: y(e[key]), r: 3.2, class: `dot-${key}${hollow ? ' dot-hollow' : ''}` }));
      }
    }
    svg.append(s('line', { x1: legendX, x2: legendX + 22, y1: 14, y2: 14, class: `series-${key}` }));
    svg.append(s('text', { x: legendX + 28, y: 18, class: 'legend' }, label));
    legendX += label.length * 7 + 44;
  }
  const bestPoint = points.find((e) => e.epoch === best && Number.isFinite(e.validLogLikelihood));
  if (bestPoint) {
    svg.append(s('circle', { cx: x(bestPoint.epoch), cy: y(bestPoint.validLogLikelihood), r: 7, class: 'best-marker' }));
    svg.append(s('text', { x: x(bestPoint.epoch), y: y(bestPoint.validLogLikelihood) - 11, 'text-anchor': 'middle', class: 'legend' }, 'best'));
  }
  const last = points[points.length - 1];
  const validated = points.filter((e) => Number.isFinite(e.validLogLikelihood));
  const parts = [`${points.length} epoch${points.length === 1 ? '' : 's'}`];
  if (validated.length) {
    const v = validated[validated.length - 1];
    parts.push(`valid log-likelihood ${fmt(v.validLogLikelihood)} at epoch ${v.epoch}`);
  }
  if (bestPoint) parts.push(`best at epoch ${bestPoint.epoch}`);
  if (Number.isFinite(last.train)) parts.push(`monitor train ${fmt(last.train)}`);
  if (Number.isFinite(last.valid)) parts.push(`monitor valid ${fmt(last.valid)}`);
  return `${parts.join(', ')} (epoch ${last.epoch}).`;
}
