// The metric cards above the tabs (and the dead-letter count on its tab).
import { $, h } from './dom.js';
import { count, formatDuration, percent } from './format.js';
import { api } from './api.js';
import { sampleActive } from './chart.js';

export function renderMetrics(m) {
  $('m-pending').textContent = count(m.pending);
  $('m-running').textContent = count(m.running);
  $('m-retrying').textContent = count(m.retrying);
  $('m-success').textContent = count(m.success);
  $('m-failed').textContent = count(m.failed);
  $('m-interrupted').textContent = m.interrupted ? `+ ${count(m.interrupted)} interrupted` : '';
  $('m-rate').textContent = percent(m.successRate);
  $('m-duration').textContent = formatDuration(m.avgDurationSeconds);
  $('m-p95').textContent = m.p95DurationSeconds === null || m.p95DurationSeconds === undefined ? '' : `p95 ${formatDuration(m.p95DurationSeconds)}`;
  const entries = Object.entries(m.queuedByPriority ?? {});
  $('m-queue').replaceChildren(...(entries.length
    ? entries.map(([priority, n]) => h('span', { class: 'queue-chip', title: `${n} waiting at priority ${priority}` }, `p${priority} `, h('b', { text: count(n) })))
    : [h('span', { class: 'muted', text: 'Nothing waiting' })]));
  $('m-capacity').textContent = `${count(m.running)} of ${count(m.maxConcurrency)} slots in use`;
  const dead = (m.failed ?? 0) + (m.interrupted ?? 0);
  $('dead-count').hidden = dead === 0;
  $('dead-count').textContent = count(dead);
  sampleActive((m.pending ?? 0) + (m.running ?? 0) + (m.retrying ?? 0));
}

export async function loadMetrics() {
  try {
    renderMetrics(await api('/metrics'));
  } catch (error) {
    if (error.status !== 401) console.warn('metrics', error.message);
  }
}
