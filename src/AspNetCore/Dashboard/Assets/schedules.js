// The Schedules tab: next and last run, last status; pause, resume and trigger; create, edit and delete runtime
// schedules (schedule-form.js).
import { $, h } from './dom.js';
import { bindScheduleForm, deleteSchedule, openScheduleForm } from './schedule-form.js';
import { badge, formatDuration, formatRelative, shortId, timeCell } from './format.js';
import { api } from './api.js';
import { act, toast } from './notify.js';

export function bindSchedules() {
  bindScheduleForm(loadSchedules);
}

export async function loadSchedules() {
  try {
    const schedules = await api('/schedules');
    $('schedules-body').replaceChildren(...schedules.map(scheduleRow));
    $('schedules-empty').hidden = schedules.length > 0;
  } catch (error) {
    toast(`Could not load schedules: ${error.message}`, 'error');
  }
}

function scheduleRow(s) {
  const when = s.cron ? `cron ${s.cron} (${s.timeZone})` : `every ${formatDuration(s.every)}`;
  const change = (action, message) => act(() => api(`/schedules/${encodeURIComponent(s.name)}/${action}`, { method: 'POST' }), message).then(loadSchedules);
  const button = (action, label, message) =>
    h('button', { type: 'button', class: 'btn btn-small action', 'data-action': action, onclick: () => change(action, message) }, label);
  return h('tr', { dataset: { schedule: s.name } },
    h('td', { class: 'cell-name', text: s.name }, s.source === 'runtime' ? h('span', { class: 'muted', text: ' · runtime' }) : null),
    h('td', { text: s.task }),
    h('td', { class: 'mono', text: when }),
    h('td', {}, s.paused ? h('span', { class: 'muted', text: 'paused' }) : timeCell(s.nextRunAt), s.nextRunAt && !s.paused ? h('span', { class: 'muted', text: ` · ${formatRelative(s.nextRunAt)}` }) : null),
    h('td', {}, s.lastRunAt ? timeCell(s.lastRunAt) : h('span', { class: 'muted', text: 'never' })),
    h('td', {}, s.lastStatus ? badge(s.lastStatus) : h('span', { class: 'muted', text: '—' }),
      s.lastTaskId ? h('button', { type: 'button', class: 'link-button mono', title: 'Open the last task', onclick: () => { location.hash = `task/${s.lastTaskId}`; } }, ` ${shortId(s.lastTaskId)}`) : null),
    h('td', {}, h('span', { class: `badge ${s.paused ? 'badge-paused' : 'badge-active'}`, text: s.paused ? 'paused' : 'active' })),
    h('td', { class: 'col-actions' }, h('div', { class: 'cell-actions' },
      s.paused ? button('resume', 'Resume', `Resumed ${s.name}.`) : button('pause', 'Pause', `Paused ${s.name}.`),
      button('trigger', 'Trigger now', `Triggered ${s.name}.`),
      s.source === 'runtime' ? h('button', { type: 'button', class: 'btn btn-small action', 'data-action': 'edit', onclick: () => openScheduleForm(s) }, 'Edit') : null,
      s.source === 'runtime' ? h('button', { type: 'button', class: 'btn btn-small btn-danger action', 'data-action': 'delete', onclick: () => deleteSchedule(s) }, 'Delete') : null)));
}
