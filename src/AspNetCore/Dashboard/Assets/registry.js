// The Registered tasks tab, which also fills the task filter's choices.
import { $, h } from './dom.js';
import { formatDuration } from './format.js';
import { api } from './api.js';
import { toast } from './notify.js';
import { state } from './state.js';

export async function loadRegistry() {
  try {
    state.registry = await api('/registry');
    renderRegistry();
  } catch (error) {
    toast(`Could not load registered tasks: ${error.message}`, 'error');
  }
}

function renderRegistry() {
  const seconds = v => (v === null || v === undefined ? '—' : formatDuration(v));
  const delay = v => (v ? formatDuration(v) : 'none');
  $('registry-body').replaceChildren(...state.registry.map(t => h('tr', { dataset: { task: t.name } },
    h('td', { class: 'cell-name', text: t.name }),
    h('td', { class: 'num', text: String(t.priority) }),
    h('td', { class: 'num', text: String(t.retries) }),
    h('td', { class: 'num', text: delay(t.delaySeconds) }),
    h('td', { class: 'num', text: `×${t.backoff}` }),
    h('td', { class: 'num', text: seconds(t.maxDelaySeconds) }),
    h('td', { class: 'num', text: seconds(t.timeoutSeconds) }),
    h('td', { class: 'num', text: t.maxConcurrency ?? '—' }),
    h('td', { text: t.rateLimit ? `${t.rateLimit.starts} per ${formatDuration(t.rateLimit.periodSeconds)}` : '—' }),
    h('td', { text: t.requeueOnInterrupt ? 'run again' : 'mark interrupted' }))));
  $('registry-empty').hidden = state.registry.length > 0;
  const select = $('filter-name');
  const current = select.value;
  select.replaceChildren(h('option', { value: '', text: 'All tasks' }), ...state.registry.map(t => h('option', { value: t.name, text: t.name })));
  select.value = current;
}
