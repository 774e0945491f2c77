// The Tasks tab: filters, server-side paging, sorting of the loaded page, and rows changed live by the stream.
import { $, h } from './dom.js';
import { badge, durationCell, shortId, timeCell } from './format.js';
import { api } from './api.js';
import { toast } from './notify.js';
import { state, remember, STATUSES } from './state.js';
import { loadMetrics } from './metrics.js';

/** The query string of the list for these filters, plus extra parameters (limit, cursor). */
export function listQuery(filters, extra = {}) {
  const params = new URLSearchParams();
  if (filters.status) params.set('status', filters.status);
  if (filters.name) params.set('name', filters.name);
  if (filters.since) params.set('since', filters.since);
  if (filters.search) params.set('search', filters.search);
  for (const [k, v] of Object.entries(extra)) if (v !== null && v !== undefined) params.set(k, v);
  const query = params.toString();
  return query ? `?${query}` : '';
}

let tasksRequest = 0;
export async function loadTasks() {
  const request = ++tasksRequest;
  const cursor = state.cursors[state.page];
  try {
    const result = await api(listQuery(state.filters, { limit: state.pageSize, cursor }));
    if (request !== tasksRequest) return;   // a newer load is under way
    result.items.forEach(remember);
    state.rows = result.items;
    state.nextCursor = result.nextCursor;
    $('new-tasks').hidden = true;
    renderTasks();
  } catch (error) {
    if (request === tasksRequest) toast(`Could not load tasks: ${error.message}`, 'error');
  }
}

function resetPaging() {
  state.cursors = [null];
  state.page = 0;
}

const SORTERS = {
  status: r => STATUSES.indexOf(r.status),
  name: r => r.name.toLowerCase(),
  duration: r => r.duration ?? -1,
  retriesUsed: r => r.retriesUsed,
  priority: r => r.priority,
  createdAt: r => r.createdAt,
};
const isDefaultSort = () => state.sort.key === 'createdAt' && state.sort.dir === 'desc';

function sortedRows() {
  if (isDefaultSort()) return state.rows;   // the server's order (newest first, ties by id)
  const key = SORTERS[state.sort.key], sign = state.sort.dir === 'asc' ? 1 : -1;
  return [...state.rows].sort((a, b) => {
    const x = key(a), y = key(b);
    return (x < y ? -1 : x > y ? 1 : 0) * sign;
  });
}

function taskRow(record) {
  const row = h('tr', { class: 'clickable', tabindex: 0, dataset: { taskId: record.taskId } });
  fillTaskRow(row, record);
  return row;
}

function fillTaskRow(row, record) {
  const status = h('td', { class: 'status' }, badge(record.status));
  if (record.status === 'running' && typeof record.progress === 'number') {
    const bar = h('span', { class: 'inline-progress', title: `${Math.round(record.progress * 100)}%` }, h('span'));
    bar.firstChild.style.width = `${Math.round(record.progress * 100)}%`;
    status.append(bar);
  }
  const name = h('td', { class: 'cell-name' }, record.name,
    record.source !== 'api' ? h('span', { class: 'tag-source', title: record.scheduleName ? `schedule ${record.scheduleName}` : undefined, text: record.source }) : null);
  row.replaceChildren(
    status,
    name,
    h('td', { class: 'cell-id', title: record.taskId, text: shortId(record.taskId) }),
    durationCell(h('td', { class: 'num duration' }), record),
    h('td', { class: 'num retries', text: record.maxRetries ? `${record.retriesUsed} / ${record.maxRetries}` : String(record.retriesUsed) }),
    h('td', { class: 'num', text: String(record.priority) }),
    h('td', {}, timeCell(record.createdAt)));
  row.dataset.status = record.status;
}

function renderTasks() {
  const rows = sortedRows();
  $('tasks-body').replaceChildren(...rows.map(taskRow));
  $('tasks-empty').hidden = rows.length > 0;
  $('tasks-empty').textContent = 'No tasks match these filters.';
  const from = state.page * state.pageSize;
  $('tasks-range').textContent = rows.length ? `Showing ${from + 1}–${from + rows.length}${state.nextCursor ? '' : ' (end)'}` : '';
  $('page-newer').disabled = state.page === 0;
  $('page-older').disabled = !state.nextCursor;
  for (const th of document.querySelectorAll('#tasks-table th[data-sort]')) {
    if (th.dataset.sort === state.sort.key) th.setAttribute('aria-sort', state.sort.dir === 'asc' ? 'ascending' : 'descending');
    else th.removeAttribute('aria-sort');
  }
}

function matchesFilters(record) {
  const f = state.filters;
  if (f.status && !f.status.split(',').includes(record.status)) return false;
  if (f.name && record.name !== f.name) return false;
  if (f.since) {
    const match = /^(\d+)([mhd])$/.exec(f.since);
    const ms = match ? Number(match[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2]] : 0;
    if (new Date(record.createdAt).getTime() < Date.now() - ms) return false;
  }
  if (f.search) {
    const s = f.search.trim().toLowerCase();
    if (!record.taskId.startsWith(s) && !record.name.toLowerCase().includes(s)) return false;
  }
  return true;
}

let reloadTimer;

// A full first page only takes records at least as new as its oldest row; older ones belong to later pages.
const isNewerThanLast = record => state.rows.length < state.pageSize || record.createdAt >= state.rows[state.rows.length - 1].createdAt;

/** A status change from the stream: update the row in place, or insert it when it belongs on the first page. */
export function applyTaskEvent(record) {
  remember(record);
  const index = state.rows.findIndex(r => r.taskId === record.taskId);
  if (index >= 0) {
    state.rows[index] = { ...state.rows[index], ...record };
    const row = document.querySelector(`#tasks-body tr[data-task-id="${record.taskId}"]`);
    if (row) {
      fillTaskRow(row, state.rows[index]);
      flash(row);
    }
  } else if (matchesFilters(record)) {
    if (state.page === 0 && isDefaultSort() && isNewerThanLast(record)) {
      // The first page grows rather than dropping its oldest rows, so "Older" still continues exactly after them.
      state.rows.push(record);
      state.rows.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.taskId < b.taskId ? 1 : -1));
      if (state.rows.length > state.pageSize * 3) {
        clearTimeout(reloadTimer);
        reloadTimer = setTimeout(loadTasks, 500);
      }
      renderTasks();
      const row = document.querySelector(`#tasks-body tr[data-task-id="${record.taskId}"]`);
      if (row) flash(row);
    } else {
      $('new-tasks').hidden = false;
    }
  }
}

function flash(row) {
  row.classList.remove('flash');
  void row.offsetWidth;   // restart the animation
  row.classList.add('flash');
}

function readFilters() {
  state.filters = {
    status: $('filter-status').value,
    name: $('filter-name').value,
    since: $('filter-window').value,
    search: $('filter-search').value.trim(),
  };
  resetPaging();
  loadTasks();
}

/** Wires the filters, paging, sorting and refresh controls of the tab. */
export function bindTasks() {
  let searchTimer;
  $('filter-status').addEventListener('change', readFilters);
  $('filter-name').addEventListener('change', readFilters);
  $('filter-window').addEventListener('change', readFilters);
  $('filter-search').addEventListener('input', () => { clearTimeout(searchTimer); searchTimer = setTimeout(readFilters, 250); });
  $('filters').addEventListener('submit', event => { event.preventDefault(); readFilters(); });
  $('refresh-tasks').addEventListener('click', () => { loadTasks(); loadMetrics(); });
  $('show-new-tasks').addEventListener('click', () => {
    state.sort = { key: 'createdAt', dir: 'desc' };
    resetPaging();
    loadTasks();
  });
  $('page-size').addEventListener('change', () => { state.pageSize = Number($('page-size').value); resetPaging(); loadTasks(); });
  $('page-older').addEventListener('click', () => {
    if (!state.nextCursor) return;
    state.cursors[state.page + 1] = state.nextCursor;
    state.page++;
    loadTasks();
  });
  $('page-newer').addEventListener('click', () => { if (state.page > 0) { state.page--; loadTasks(); } });

  for (const th of document.querySelectorAll('#tasks-table th[data-sort]')) {
    const button = th.querySelector('button');
    button.title = 'Sorts the tasks on this page. The server lists newest first; filters and paging select which tasks are loaded.';
    button.addEventListener('click', () => {
      const key = th.dataset.sort;
      state.sort = state.sort.key === key
        ? { key, dir: state.sort.dir === 'asc' ? 'desc' : 'asc' }
        : { key, dir: key === 'name' || key === 'status' ? 'asc' : 'desc' };
      renderTasks();
    });
  }
}
