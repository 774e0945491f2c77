// How numbers, durations and times are shown, and the small cells built from them.
import { h } from './dom.js';

export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const m = Math.floor(seconds / 60), s = Math.round(seconds % 60);
  if (m < 60) return `${m}m ${String(s).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

export const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });

export function formatTime(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return date.toDateString() === new Date().toDateString() ? timeFormat.format(date) : dateTimeFormat.format(date);
}

export function formatRelative(iso) {
  if (!iso) return '—';
  const seconds = Math.round((new Date(iso).getTime() - Date.now()) / 1000);
  const abs = Math.abs(seconds);
  const [value, unit] = abs < 60 ? [abs, 's'] : abs < 3600 ? [Math.round(abs / 60), 'min'] : abs < 86400 ? [Math.round(abs / 3600), 'h'] : [Math.round(abs / 86400), 'd'];
  return seconds >= 0 ? `in ${value} ${unit}` : `${value} ${unit} ago`;
}

export const shortId = id => id.slice(0, 8);
export const percent = value => value === null || value === undefined ? '—' : `${(value * 100).toFixed(value >= 0.9995 || value === 0 ? 0 : 1)}%`;
export const count = value => (value ?? 0).toLocaleString();

export function timeCell(iso, relative = false) {
  return h('time', { datetime: iso ?? undefined, title: iso ? new Date(iso).toLocaleString() : undefined },
    relative ? formatRelative(iso) : formatTime(iso));
}

export function badge(status) {
  return h('span', { class: `badge badge-${status}`, text: status });
}

const formatElapsed = started => `${formatDuration(Math.max(0, (Date.now() - new Date(started).getTime()) / 1000))}…`;

/** A finished task's duration; a running one's time so far, kept current by {@link tickElapsed}. */
export function durationCell(node, record) {
  if (record.status === 'running' && record.startedAt) {
    node.classList.add('elapsed');
    node.dataset.started = record.startedAt;
    node.title = 'Running for';
    node.textContent = formatElapsed(record.startedAt);
  } else {
    node.textContent = formatDuration(record.duration);
  }
  return node;
}

/** Advances every running task's time so far, once a second. */
export function tickElapsed() {
  setInterval(() => {
    for (const node of document.querySelectorAll('.elapsed[data-started]')) node.textContent = formatElapsed(node.dataset.started);
  }, 1000);
}
