// The Batches tab (#batches, #batch/<id>): a batch's progress — members ended of total, counts by status, whether it is
// done, its then task and its members — refreshed every 2 s until the batch is done.
import { $, h } from './dom.js';
import { badge, count, shortId } from './format.js';
import { api } from './api.js';

let batchTimer = null;
let shownId = null;
const SHOWN_MEMBERS = 100;

const taskButton = (id, label = shortId(id)) =>
  h('button', { type: 'button', class: 'link-button mono', title: id, onclick: () => { location.hash = `task/${id}`; } }, label);

/** Shows batch <id> (or the last one shown), and keeps it fresh until it is done. */
export async function showBatch(id = shownId) {
  clearTimeout(batchTimer);
  shownId = id;
  if (!id) {
    $('batch-view').replaceChildren(h('p', { class: 'muted', text: 'Enter a batch id (from POST /tasks/batches) to follow its progress.' }));
    return;
  }
  $('batch-id').value = id;
  try {
    const batch = await api(`/batches/${id}?tasks=true`);
    if (shownId !== id) return;
    render(batch);
    if (!batch.done) batchTimer = setTimeout(() => showBatch(id), 2000);
  } catch (error) {
    if (shownId !== id) return;
    $('batch-view').replaceChildren(h('p', { class: error.status === 404 ? 'muted' : 'error-box', id: 'batch-error', text: error.status === 404 ? `No batch has the id ${id}.` : `Could not load the batch: ${error.message}` }));
    if (error.status !== 404) batchTimer = setTimeout(() => showBatch(id), 3000);
  }
}

/** Stops refreshing (another tab is shown). */
export function leaveBatch() { clearTimeout(batchTimer); }

function render(b) {
  const ended = Object.entries(b.counts).filter(([s]) => ['success', 'failed', 'interrupted', 'cancelled'].includes(s)).reduce((n, [, v]) => n + v, 0);
  const pct = b.total ? Math.round((ended / b.total) * 100) : 0;
  const fill = h('div', { class: `progress-fill${b.done ? ' done' : ''}` });
  fill.style.width = `${pct}%`;
  const members = b.taskIds ?? [];
  $('batch-view').replaceChildren(
    h('div', { class: 'batch-head' },
      h('h2', { class: 'batch-title' }, 'Batch ', h('span', { class: 'mono', id: 'batch-shown-id', text: b.batchId })),
      h('span', { id: 'batch-state', class: `badge ${b.done ? 'badge-success' : 'badge-running'}`, text: b.done ? 'done' : 'in progress' })),
    h('div', { class: 'progress', id: 'batch-progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': pct },
      h('div', { class: 'progress-label' }, h('span', { id: 'batch-ended', text: `${count(ended)} of ${count(b.total)} ended` }), h('span', { text: `${pct}%` })),
      h('div', { class: 'progress-track' }, fill)),
    h('ul', { class: 'batch-counts', id: 'batch-counts' },
      ...Object.entries(b.counts).map(([status, n]) => h('li', { dataset: { status } }, badge(status), ' ', h('b', { text: count(n) })))),
    h('dl', { class: 'facts' },
      h('dt', { text: 'Then task' }),
      h('dd', { id: 'batch-then' }, b.thenTaskId ? taskButton(b.thenTaskId, b.thenTaskId) : h('span', { class: 'muted', text: 'none' }))),
    h('h3', { class: 'section-title', text: `Tasks (${count(b.total)})` }),
    h('p', { class: 'batch-members', id: 'batch-members' },
      ...members.slice(0, SHOWN_MEMBERS).flatMap((id, i) => (i ? [' ', taskButton(id)] : [taskButton(id)])),
      members.length > SHOWN_MEMBERS ? h('span', { class: 'muted', text: ` … and ${count(members.length - SHOWN_MEMBERS)} more` }) : null));
}

/** The open-a-batch form. */
export function bindBatches() {
  $('batch-open').addEventListener('submit', event => {
    event.preventDefault();
    const id = $('batch-id').value.trim().toLowerCase();
    if (/^[0-9a-f-]{36}$/.test(id)) location.hash = `batch/${id}`;
    else $('batch-view').replaceChildren(h('p', { class: 'error-box', id: 'batch-error', text: 'A batch id is a GUID.' }));
  });
}
