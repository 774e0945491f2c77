// The Cluster tab: the silos (silos report every 2 s), reloaded every 2 s while the tab is shown.
import { $, h } from './dom.js';
import { count, timeCell } from './format.js';
import { api } from './api.js';
import { toast } from './notify.js';

const PERIOD = 2000;
let timer = null;

async function load() {
  try {
    const c = await api('/cluster');
    const live = c.silos.filter(s => s.status !== 'dead').length;
    $('cluster-summary').textContent =
      `${live} of ${c.silos.length} silo${c.silos.length === 1 ? '' : 's'} up · ${count(c.slotsInUse)} of ${count(c.maxConcurrency)} slots in use`;
    $('cluster-body').replaceChildren(...c.silos.map(siloRow));
    $('cluster-empty').hidden = c.silos.length > 0;
  } catch (error) {
    toast(`Could not load the cluster: ${error.message}`, 'error');
  }
}

const siloStatusText = status => ({
  active: 'active', joining: 'joining', shuttingDown: 'shutting down', stopping: 'stopping', dead: 'dead',
  draining: 'draining',
})[status] ?? status;

function siloRow(s) {
  const status = s.draining ? 'draining' : s.status;
  return h('tr', { dataset: { silo: s.host, status } },
    h('td', {}, h('span', { class: 'mono', text: s.host }), s.name ? h('span', { class: 'muted', text: ` ${s.name}` }) : null),
    h('td', {}, h('span', { class: `badge badge-silo-${status.toLowerCase()}`, text: siloStatusText(status) })),
    h('td', { class: 'num', text: s.runningAttempts === null ? '—' : count(s.runningAttempts) }),
    h('td', {}, timeCell(s.startedAt)),
    h('td', {}, s.lastSeenAt ? timeCell(s.lastSeenAt, true) : h('span', { class: 'muted', text: '—' })),
    h('td', { class: 'mono', text: s.gateway ?? '—' }));
}

/** Starts (on) or stops (off) reloading the silos; a hidden page skips its reloads. */
export function watchCluster(on) {
  clearInterval(timer);
  timer = null;
  if (!on) return;
  load();
  timer = setInterval(() => { if (!document.hidden) load(); }, PERIOD);
}
