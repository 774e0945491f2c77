// The schedule form (admins): create a runtime schedule, edit one, delete one after a confirmation. The server checks
// everything; a 400 names the field, which the form marks and explains.
import { $, h } from './dom.js';
import { api } from './api.js';
import { toast } from './notify.js';

const FIELDS = ['name', 'task', 'every', 'cron', 'timeZone', 'misfire', 'overlap', 'args'];
const input = field => $('schedule-form').elements.namedItem(field);
let editing = null;
let saved = () => undefined;

/** Wires the form once; onSaved runs after a create, edit or delete succeeded. */
export function bindScheduleForm(onSaved) {
  saved = onSaved;
  $('schedule-new').addEventListener('click', () => openScheduleForm(null));
  $('schedule-kind').addEventListener('change', showTiming);
  $('schedule-cancel').addEventListener('click', () => $('schedule-dialog').close());
  $('schedule-form').addEventListener('submit', event => { event.preventDefault(); submit(); });
}

/** Opens the form empty (create) or filled with a runtime schedule (edit; its name stays). */
export async function openScheduleForm(schedule) {
  editing = schedule;
  const form = $('schedule-form');
  form.reset();
  clearErrors();
  await fillTasks(schedule?.task);
  $('schedule-dialog-title').textContent = schedule ? `Edit ${schedule.name}` : 'New schedule';
  $('schedule-save').textContent = schedule ? 'Save' : 'Create';
  input('name').readOnly = schedule !== null;
  if (schedule) {
    input('name').value = schedule.name;
    $('schedule-kind').value = schedule.cron ? 'cron' : 'every';
    input('every').value = schedule.every ?? '';
    input('cron').value = schedule.cron ?? '';
    input('timeZone').value = schedule.cron ? schedule.timeZone : '';
    input('misfire').value = schedule.misfire;
    input('overlap').value = schedule.overlap;
    input('args').value = JSON.stringify(schedule.args, null, 2);
  }
  showTiming();
  $('schedule-dialog').showModal();
  (schedule ? input('task') : input('name')).focus();
}

/** Asks before deleting a runtime schedule; deletes it on Confirm. */
export function deleteSchedule(schedule) {
  const dialog = $('schedule-delete');
  $('schedule-delete-title').textContent = `Delete the schedule ${schedule.name}?`;
  dialog.returnValue = '';
  dialog.addEventListener('close', async () => {
    if (dialog.returnValue !== 'confirm') return;
    try {
      await api(`/schedules/${encodeURIComponent(schedule.name)}`, { method: 'DELETE' });
      toast(`Deleted ${schedule.name}.`, 'success');
      saved();
    } catch (error) {
      toast(error.message, 'error');
    }
  }, { once: true });
  dialog.showModal();
  $('schedule-delete-cancel').focus();
}

async function fillTasks(selected) {
  const tasks = await api('/registry').catch(() => []);
  const names = tasks.map(t => t.name);
  if (selected && !names.includes(selected)) names.push(selected);
  input('task').replaceChildren(...names.map(name => h('option', { value: name, text: name })));
  if (selected) input('task').value = selected;
}

function showTiming() {
  const cron = $('schedule-kind').value === 'cron';
  $('schedule-every-field').hidden = cron;
  $('schedule-cron-field').hidden = !cron;
  $('schedule-zone-field').hidden = !cron;
}

function body() {
  const cron = $('schedule-kind').value === 'cron';
  let args;
  try {
    args = JSON.parse(input('args').value.trim() || '{}');
  } catch {
    throw fieldError('args', 'args: is not JSON.');
  }
  return {
    name: input('name').value.trim(),
    task: input('task').value,
    args,
    every: cron ? undefined : (input('every').value === '' ? undefined : Number(input('every').value)),
    cron: cron ? input('cron').value.trim() : undefined,
    timeZone: cron && input('timeZone').value.trim() ? input('timeZone').value.trim() : undefined,
    misfire: input('misfire').value,
    overlap: input('overlap').value,
  };
}

async function submit() {
  clearErrors();
  try {
    const request = body();
    const schedule = editing
      ? await api(`/schedules/${encodeURIComponent(editing.name)}`, { method: 'PUT', body: request })
      : await api('/schedules', { method: 'POST', body: request });
    $('schedule-dialog').close();
    toast(editing ? `Saved ${schedule.name}.` : `Created ${schedule.name}.`, 'success');
    saved();
  } catch (error) {
    showError(error);
  }
}

function fieldError(field, message) {
  const error = new Error(message);
  error.problem = { errors: { [field]: [message] } };
  return error;
}

function showError(error) {
  const fields = Object.keys(error.problem?.errors ?? {}).map(f => f.split('.')[0]);
  if (error.status === 409 && !editing) fields.push('name');
  for (const field of fields.filter(f => FIELDS.includes(f))) input(field)?.setAttribute('aria-invalid', 'true');
  $('schedule-error').textContent = error.message;
  $('schedule-error').hidden = false;
}

function clearErrors() {
  for (const field of FIELDS) input(field)?.removeAttribute('aria-invalid');
  $('schedule-error').hidden = true;
  $('schedule-error').textContent = '';
}
