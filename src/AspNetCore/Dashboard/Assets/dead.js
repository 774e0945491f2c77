// The Dead letters tab: failed and interrupted tasks; replay the selected ones or a window, after a dialog that
// lists exactly what the dry run says will run.
import { $, h } from './dom.js';
import { badge, shortId, timeCell } from './format.js';
import { canAct } from './config.js';
import { api } from './api.js';
import { act, toast } from './notify.js';
import { state, remember } from './state.js';

export async function loadDead({ more = false } = {}) {
  const dead = state.dead;
  try {
    const page = await api(`?status=failed,interrupted&limit=100${more && dead.next ? `&cursor=${encodeURIComponent(dead.next)}` : ''}`);
    page.items.forEach(remember);
    dead.rows = more ? dead.rows.concat(page.items) : page.items;
    dead.next = page.nextCursor;
    const loaded = new Set(dead.rows.map(r => r.taskId));
    for (const id of [...dead.selected]) if (!loaded.has(id)) dead.selected.delete(id);
    renderDead();
  } catch (error) {
    toast(`Could not load dead letters: ${error.message}`, 'error');
  }
}

function deadRow(record) {
  const selected = state.dead.selected.has(record.taskId);
  return h('tr', { class: `clickable${selected ? ' selected' : ''}`, tabindex: 0, dataset: { taskId: record.taskId } },
    h('td', { class: 'col-check' }, h('input', {
      type: 'checkbox', class: 'action select-dead', checked: selected, 'aria-label': `Select ${record.name} ${shortId(record.taskId)}`,
    })),
    h('td', { class: 'status' }, badge(record.status)),
    h('td', { class: 'cell-name', text: record.name }),
    h('td', { class: 'cell-error', title: record.error ?? '', text: record.error ?? '' }),
    h('td', { class: 'num', text: String(record.retriesUsed) }),
    h('td', {}, timeCell(record.createdAt)),
    h('td', { class: 'cell-id', title: record.taskId, text: shortId(record.taskId) }));
}

function renderDead() {
  $('dead-body').replaceChildren(...state.dead.rows.map(deadRow));
  $('dead-empty').hidden = state.dead.rows.length > 0;
  $('dead-more').hidden = !state.dead.next;
  renderDeadSummary();
}

// Also called alone when a checkbox changes: a full re-render would lose the focus on it.
function renderDeadSummary() {
  const { rows, selected, next } = state.dead;
  $('dead-range').textContent = rows.length ? `${rows.length.toLocaleString()} loaded${next ? '' : ' (all)'}${selected.size ? ` · ${selected.size} selected` : ''}` : '';
  $('replay-selected').disabled = selected.size === 0;
  $('replay-selected').textContent = selected.size ? `Replay selected (${selected.size})` : 'Replay selected';
  const all = $('dead-select-all');
  all.checked = rows.length > 0 && selected.size === rows.length;
  all.indeterminate = selected.size > 0 && selected.size < rows.length;
}

/** A task that failed or was interrupted joins the list as it happens. */
export function applyDeadEvent(record) {
  if (!['failed', 'interrupted'].includes(record.status) || state.dead.rows.some(r => r.taskId === record.taskId)) return;
  state.dead.rows.push(record);
  state.dead.rows.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  if (state.tab === 'dead') renderDead();
}

/** Fills the confirmation dialog from a dry run and resolves to whether the user confirmed. */
function confirmReplay(dry, description) {
  const willRun = dry.results.filter(r => !r.reason);
  const skipped = dry.results.filter(r => r.reason);
  $('replay-confirm-title').textContent = willRun.length
    ? `Replay ${willRun.length} task${willRun.length === 1 ? '' : 's'}?`
    : 'Nothing to replay';
  $('replay-confirm-summary').textContent = `${description} ` + (willRun.length
    ? `Each runs again as a new task with the same arguments.${skipped.length ? ` ${skipped.length} cannot be replayed and will be skipped.` : ''}`
    : dry.results.length ? 'None of the selected tasks can be replayed.' : 'No failed or interrupted task matches.');
  const rows = dry.results.map(r => h('tr', { class: r.reason ? 'skipped' : 'will-run', dataset: { taskId: r.originalTaskId } },
    h('td', { class: 'mono', title: r.originalTaskId, text: shortId(r.originalTaskId) }),
    h('td', { text: state.names.get(r.originalTaskId) ?? '(unknown)' }),
    h('td', { class: r.reason ? 'reason' : '', text: r.reason ? `skipped: ${r.reason}` : 'will run' })));
  $('replay-confirm-list').replaceChildren(...(rows.length
    ? [h('table', {}, h('thead', {}, h('tr', {}, h('th', { text: 'Task' }), h('th', { text: 'Name' }), h('th', { text: 'Outcome' }))), h('tbody', {}, rows))]
    : []));
  $('replay-confirm-list').hidden = rows.length === 0;
  $('replay-confirm-ok').hidden = willRun.length === 0;
  $('replay-confirm-ok').textContent = `Replay ${willRun.length}`;

  const dialog = $('replay-confirm');
  return new Promise(resolve => {
    dialog.returnValue = '';
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), { once: true });
    dialog.showModal();
    (willRun.length ? $('replay-confirm-ok') : $('replay-confirm-cancel')).focus();
  });
}

/** Dry run first; the dialog lists exactly what the dry run said would run; only Confirm dispatches. */
async function replayFlow(selection, description) {
  if (!canAct) { toast('Your role cannot do this', 'error'); return; }
  const dry = await act(() => api('/replay', { method: 'POST', body: { ...selection, dryRun: true } }));
  if (!dry) return;
  await nameUnknown(dry.results.map(r => r.originalTaskId));
  if (!await confirmReplay(dry, description)) return;

  // Replay exactly what was shown: the ids of the dry run, not the window again (it may have grown since).
  const ids = dry.results.filter(r => !r.reason).map(r => r.originalTaskId);
  const outcome = await act(() => api('/replay', { method: 'POST', body: { taskIds: ids, dryRun: false } }));
  if (!outcome) return;
  toast(`Replay: ${outcome.dispatched} dispatched, ${outcome.skipped} skipped.`, outcome.skipped ? 'info' : 'success');
  state.dead.selected.clear();
  loadDead();
}

/** Names for ids the page has not seen (a window replay): fetched a few at a time, at most 200. */
async function nameUnknown(ids) {
  const unknown = ids.filter(id => !state.names.has(id)).slice(0, 200);
  for (let i = 0; i < unknown.length; i += 8) {
    await Promise.all(unknown.slice(i, i + 8).map(id => api(`/${id}`).then(remember, () => undefined)));
  }
}

/** Wires selection, paging and the two replay buttons. */
export function bindDead() {
  $('dead-body').addEventListener('change', event => {
    if (!event.target.matches('.select-dead')) return;
    const id = event.target.closest('tr').dataset.taskId;
    if (event.target.checked) state.dead.selected.add(id); else state.dead.selected.delete(id);
    event.target.closest('tr').classList.toggle('selected', event.target.checked);
    renderDeadSummary();
  });
  $('dead-select-all').addEventListener('change', event => {
    state.dead.selected = event.target.checked ? new Set(state.dead.rows.map(r => r.taskId)) : new Set();
    renderDead();
  });
  $('dead-more').addEventListener('click', () => loadDead({ more: true }));
  $('replay-selected').addEventListener('click', () => {
    const n = state.dead.selected.size;
    replayFlow({ taskIds: [...state.dead.selected] }, `You selected ${n} task${n === 1 ? '' : 's'}.`);
  });
  $('replay-window').addEventListener('click', () => {
    const select = $('replay-window-size');
    replayFlow({ since: select.value }, `Failed and interrupted tasks created in the ${select.selectedOptions[0].textContent.toLowerCase()}.`);
  });
}
