// The task detail panel (#task/<id>): args, progress, every attempt with its error and stack trace, the logs;
// refreshed every second while the task runs; cancel and replay.
import { $, h } from './dom.js';
import { badge, durationCell, formatDuration, formatRelative, timeCell } from './format.js';
import { config } from './config.js';
import { api } from './api.js';
import { act } from './notify.js';
import { state, remember, TERMINAL } from './state.js';

let detailTimer = null;
let lastFocus = null;

const showTask = id => { location.hash = `task/${id}`; };

export async function openDetail(id) {
  if (state.detailId !== id) {
    lastFocus = document.activeElement;
    state.detailId = id;
    $('detail-title').textContent = state.names.get(id) ?? 'Loading…';
    $('detail-id').textContent = id;
    $('detail-body').replaceChildren(h('p', { class: 'muted', text: 'Loading…' }));
  }
  $('task-detail').hidden = false;
  $('detail-scrim').hidden = false;
  $('task-detail').focus();
  await refreshDetail();
}

export function closeDetail({ updateHash = true } = {}) {
  if (!state.detailId) return;
  state.detailId = null;
  clearTimeout(detailTimer);
  $('task-detail').hidden = true;
  $('detail-scrim').hidden = true;
  if (updateHash) history.replaceState(null, '', `#${state.tab}`);
  if (lastFocus?.isConnected) lastFocus.focus();
}

/** Loads the record; while the task is not finished, again about every second (progress and logs are live). */
export async function refreshDetail() {
  const id = state.detailId;
  clearTimeout(detailTimer);
  if (!id) return;
  try {
    const record = await api(`/${id}`);
    if (state.detailId !== id) return;
    remember(record);
    renderDetail(record);
    if (!TERMINAL.has(record.status)) detailTimer = setTimeout(refreshDetail, 1000);
  } catch (error) {
    if (state.detailId !== id) return;
    if (error.status === 404) {
      $('detail-title').textContent = 'Task not found';
      $('detail-body').replaceChildren(h('p', { class: 'muted', text: `No task has the id ${id}. It may have been deleted with old history.` }));
    } else {
      $('detail-body').replaceChildren(h('p', { class: 'error-box', text: `Could not load the task: ${error.message}` }));
      detailTimer = setTimeout(refreshDetail, 3000);
    }
  }
}

function fact(label, ...value) {
  return [h('dt', { text: label }), h('dd', {}, ...value)];
}

function taskLink(id) {
  return h('button', { type: 'button', class: 'link-button mono', onclick: () => showTask(id) }, id);
}

// The trace id, linked to the operator's tracing tool when TaskFlow:Telemetry:TraceUrl is set (an http(s) URL,
// checked at start-up; the id is hex, so nothing in it can change the link's meaning).
function traceCell(traceId) {
  const id = h('span', { class: 'mono', id: 'detail-trace', text: traceId });
  if (!config.traceUrl || !/^[0-9a-f]{32}$/.test(traceId)) return id;
  return h('a', { href: config.traceUrl.replace('{traceId}', traceId), target: '_blank', rel: 'noopener noreferrer', id: 'detail-trace-link' }, id);
}

function actions(r) {
  const node = h('div', { class: 'actions' });
  if (!TERMINAL.has(r.status)) {
    node.append(h('button', {
      type: 'button', class: 'btn btn-danger action', id: 'detail-cancel',
      onclick: () => act(() => api(`/${r.taskId}/cancel`, { method: 'POST' }), 'Cancellation requested.').then(refreshDetail),
    }, 'Cancel'));
  }
  if (['failed', 'interrupted', 'cancelled'].includes(r.status)) {
    node.append(h('button', {
      type: 'button', class: 'btn btn-primary action', id: 'detail-retry',
      onclick: async () => {
        const result = await act(() => api(`/${r.taskId}/retry`, { method: 'POST' }), 'Replayed as a new task.');
        if (result?.taskId) showTask(result.taskId);
      },
    }, 'Replay'));
  }
  return node;
}

function progress(r) {
  const pct = Math.round(r.progress * 100);
  const fill = h('div', { class: `progress-fill${r.status === 'success' ? ' done' : ''}` });
  fill.style.width = `${pct}%`;
  return h('div', { class: 'progress', id: 'detail-progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': pct },
    h('div', { class: 'progress-label' }, h('span', { text: 'Progress' }), h('span', { text: `${pct}%` })),
    h('div', { class: 'progress-track' }, fill));
}

function facts(r) {
  const tags = Object.entries(r.tags ?? {});
  return h('dl', { class: 'facts' },
    fact('Created', timeCell(r.createdAt), h('span', { class: 'muted', text: ` · ${formatRelative(r.createdAt)}` })),
    fact('Started', timeCell(r.startedAt)),
    fact('Ended', timeCell(r.endedAt)),
    fact('Duration', durationCell(h('span'), r)),
    fact('Retries', `${r.retriesUsed} of ${r.maxRetries}`),
    r.nextAttemptAt ? fact('Next attempt', timeCell(r.nextAttemptAt), h('span', { class: 'muted', text: ` · ${formatRelative(r.nextAttemptAt)}` })) : [],
    fact('Source', r.source, r.scheduleName ? ` · schedule ${r.scheduleName}` : ''),
    r.replayOf ? fact('Replay of', taskLink(r.replayOf)) : [],
    r.idempotencyKey ? fact('Idempotency key', h('span', { class: 'mono', text: r.idempotencyKey })) : [],
    r.traceId ? fact('Trace', traceCell(r.traceId)) : [],
    tags.length ? fact('Tags', h('span', { class: 'mono', text: tags.map(([k, v]) => `${k}=${v}`).join(', ') })) : []);
}

function attempt(a, openStacks) {
  const outcome = a.error ? 'failed' : a.endedAt ? 'success' : 'running';
  const node = h('div', { class: 'attempt', dataset: { attempt: a.attempt } },
    h('div', { class: 'attempt-head' }, h('strong', { text: `#${a.attempt}` }), badge(outcome),
      h('span', { class: 'muted' }, 'started ', timeCell(a.startedAt)),
      a.host ? h('span', { class: 'muted attempt-host', title: 'silo that ran it', text: `on ${a.host}` }) : [],
      h('span', { class: 'muted', text: a.endedAt ? `took ${formatDuration(a.duration)}` : 'in progress' })));
  if (a.error) node.append(h('pre', { class: 'error-box' }, a.errorType ? `${a.errorType}: ` : '', a.error));
  if (a.stackTrace) {
    const key = `stack-${a.attempt}`;
    node.append(h('details', { dataset: { key }, open: openStacks.has(key) },
      h('summary', { text: 'Stack trace' }), h('pre', { class: 'code', text: a.stackTrace })));
  }
  return node;
}

function logTable(logs) {
  return h('table', { class: 'logs', id: 'detail-logs' }, h('tbody', {}, logs.map(l => h('tr', {},
    h('td', {}, timeCell(l.at)),
    h('td', { class: `level level-${l.level}`, text: l.level }),
    h('td', { title: 'attempt', text: `#${l.attempt}` }),
    h('td', { class: 'log-message', text: l.message })))));
}

function renderDetail(r) {
  $('detail-title').textContent = r.name;
  $('detail-id').textContent = r.taskId;
  const body = $('detail-body');
  const scroll = body.scrollTop;
  const openStacks = new Set([...body.querySelectorAll('details[open]')].map(d => d.dataset.key));

  const parts = [h('div', { class: 'detail-bar' }, badge(r.status),
    r.source !== 'api' ? h('span', { class: 'tag-source', text: r.source }) : null,
    h('span', { class: 'muted', text: `priority ${r.priority}` }), actions(r))];
  if (typeof r.progress === 'number') parts.push(progress(r));
  if (r.error) parts.push(h('pre', { class: 'error-box', id: 'detail-error' }, r.errorType ? `${r.errorType}: ` : '', r.error));
  parts.push(facts(r));

  parts.push(h('h3', { class: 'section-title', text: 'Arguments' }),
    h('pre', { class: 'code', id: 'detail-args', text: JSON.stringify(r.args ?? {}, null, 2) }));

  const attempts = r.attempts ?? [];
  parts.push(h('h3', { class: 'section-title', text: `Attempts (${attempts.length})` }));
  if (!attempts.length) parts.push(h('p', { class: 'muted', text: r.nextAttemptAt ? 'Not started yet; due at the next attempt time.' : 'Not started yet.' }));
  for (const a of [...attempts].reverse()) parts.push(attempt(a, openStacks));

  const logs = r.logs ?? [];
  parts.push(h('h3', { class: 'section-title', text: `Logs (${logs.length})` }));
  parts.push(logs.length ? logTable(logs) : h('p', { class: 'muted', text: 'Nothing logged through the task’s logger.' }));

  body.replaceChildren(...parts);
  body.scrollTop = scroll;
}

/** Rows of a task table open the task's detail: click, Enter or Space; arrow keys move between rows. */
export function openOnActivation(body) {
  body.addEventListener('click', event => {
    if (event.target.closest('input, button, a')) return;
    const row = event.target.closest('tr[data-task-id]');
    if (row) showTask(row.dataset.taskId);
  });
  body.addEventListener('keydown', event => {
    const row = event.target.closest('tr[data-task-id]');
    if (!row || event.target !== row) return;
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      showTask(row.dataset.taskId);
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      (event.key === 'ArrowDown' ? row.nextElementSibling : row.previousElementSibling)?.focus();
    }
  });
}

export function bindDetail() {
  $('detail-close').addEventListener('click', () => closeDetail());
  $('detail-scrim').addEventListener('click', () => closeDetail());
  document.addEventListener('keydown', event => {
    if (event.key === 'Escape' && state.detailId && !$('replay-confirm').open) closeDetail();
  });
}
