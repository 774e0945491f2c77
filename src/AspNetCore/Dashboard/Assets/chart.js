// The throughput chart: finished tasks per 10 s bucket over the last 10 minutes, from the stream (seeded from
// history on load), and the number in flight from each metrics event.
import { $, svg } from './dom.js';
import { timeFormat } from './format.js';
import { api } from './api.js';

const BUCKET = 10_000, BUCKETS = 60;
const finished = new Map();   // bucket index -> { success, failed }
const counted = new Map();    // taskId -> time counted, so a repeated event is not counted twice
const active = [];            // [time, inFlight]
const bucketOf = time => Math.floor(time / BUCKET);

export function countFinished(record) {
  if (!['success', 'failed', 'interrupted'].includes(record.status) || counted.has(record.taskId)) return;
  const at = new Date(record.endedAt ?? Date.now()).getTime();
  if (at < Date.now() - BUCKET * BUCKETS) return;
  counted.set(record.taskId, at);
  const bucket = finished.get(bucketOf(at)) ?? { success: 0, failed: 0 };
  if (record.status === 'success') bucket.success++; else bucket.failed++;
  finished.set(bucketOf(at), bucket);
  schedule();
}

export function sampleActive(n) {
  active.push([Date.now(), n]);
  while (active.length && active[0][0] < Date.now() - BUCKET * BUCKETS) active.shift();
  schedule();
}

let pending = false;
function schedule() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => { pending = false; render(); });
}

function render() {
  const W = 600, H = 140;
  const now = Date.now();
  const last = bucketOf(now), first = last - BUCKETS + 1;
  for (const key of finished.keys()) if (key < first) finished.delete(key);
  for (const [id, at] of counted) if (at < first * BUCKET) counted.delete(id);
  let max = 1, totalSuccess = 0, totalFailed = 0;
  for (let b = first; b <= last; b++) {
    const v = finished.get(b);
    if (v) { max = Math.max(max, v.success + v.failed); totalSuccess += v.success; totalFailed += v.failed; }
  }
  const activeMax = Math.max(1, ...active.map(a => a[1]));
  max = niceCeiling(max);
  const children = [];
  for (const f of [0.25, 0.5, 0.75, 1]) children.push(svg('line', { class: 'grid-line', x1: 0, x2: W, y1: H - H * f, y2: H - H * f, 'vector-effect': 'non-scaling-stroke' }));
  const slot = W / BUCKETS, barWidth = slot * 0.72;
  for (let b = first; b <= last; b++) {
    const x = (b - first) * slot + (slot - barWidth) / 2;
    const v = finished.get(b) ?? { success: 0, failed: 0 };
    const group = svg('g');
    const title = svg('title');
    title.textContent = `${timeFormat.format(new Date(b * BUCKET))}: ${v.success} succeeded, ${v.failed} failed`;
    group.append(title, svg('rect', { class: 'bar-hit', x: (b - first) * slot, y: 0, width: slot, height: H }));
    const hs = (v.success / max) * H, hf = (v.failed / max) * H;
    if (hs > 0) group.append(svg('rect', { class: 'bar-success', x, y: H - hs, width: barWidth, height: hs, rx: 1 }));
    if (hf > 0) group.append(svg('rect', { class: 'bar-failed', x, y: H - hs - hf, width: barWidth, height: hf, rx: 1 }));
    children.push(group);
  }
  const points = active.filter(a => a[0] >= first * BUCKET)
    .map(([t, n]) => `${(((t - first * BUCKET) / (BUCKET * BUCKETS)) * W).toFixed(1)},${(H - (n / activeMax) * H * 0.9).toFixed(1)}`);
  if (points.length > 1) children.push(svg('polyline', { class: 'active-line', points: points.join(' '), 'vector-effect': 'non-scaling-stroke' }));
  $('chart-svg').replaceChildren(...children);
  $('chart-max').textContent = String(max);
  $('chart-from').textContent = timeFormat.format(new Date(first * BUCKET));
  const inFlight = active.length ? active[active.length - 1][1] : null;
  $('chart-summary').textContent = `${totalSuccess.toLocaleString()} succeeded, ${totalFailed.toLocaleString()} failed in 10 minutes` +
    (inFlight === null ? '' : ` · ${inFlight.toLocaleString()} in flight now (peak ${activeMax.toLocaleString()})`);
}

function niceCeiling(n) {
  if (n <= 5) return 5;
  const magnitude = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= n) return step * magnitude;
  return n;
}

/** Seeds the chart with what finished in the window before the page opened, and slides the window every bucket
 *  even when nothing happens. */
export async function startChart() {
  setInterval(schedule, BUCKET);
  let cursor = null;
  for (let page = 0; page < 4; page++) {
    const result = await api(`?status=success,failed,interrupted&since=11m&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    result.items.forEach(countFinished);
    cursor = result.nextCursor;
    if (!cursor) break;
  }
}
