// The stream client: server-sent events from {base}/stream applied to every view; the live / reconnecting /
// paused indicator; Pause and Resume. Events missed meanwhile are not replayed: what is on screen is reloaded.
import { $ } from './dom.js';
import { config } from './config.js';
import { api } from './api.js';
import { state } from './state.js';
import { countFinished } from './chart.js';
import { loadMetrics, renderMetrics } from './metrics.js';
import { applyTaskEvent, loadTasks } from './tasks.js';
import { applyDeadEvent, loadDead } from './dead.js';
import { refreshDetail } from './detail.js';
import { loadSchedules } from './schedules.js';

let source = null;
let retryTimer = null;
let retryDelay = 1000;
let missedSome = false;
let scheduleTimer = null;

const LABELS = { live: 'Live', reconnecting: 'Reconnecting…', paused: 'Paused', connecting: 'Connecting…' };
const TITLES = { live: 'Updates arrive as they happen', reconnecting: 'The live connection dropped; retrying', paused: 'Live updates are paused', connecting: 'Connecting' };

function indicate(mode) {
  const indicator = $('live-indicator');
  indicator.dataset.state = mode;
  indicator.querySelector('.live-text').textContent = LABELS[mode];
  indicator.title = TITLES[mode];
}

export function connectLive() {
  clearTimeout(retryTimer);
  source = new EventSource(`${config.base}/stream`);
  source.addEventListener('open', () => {
    retryDelay = 1000;
    indicate('live');
    if (missedSome) catchUp();
    missedSome = false;
  });
  source.addEventListener('task', event => onTask(JSON.parse(event.data)));
  source.addEventListener('metrics', event => renderMetrics(JSON.parse(event.data)));
  source.addEventListener('error', () => {
    if (state.paused) return;
    missedSome = true;
    indicate('reconnecting');
    if (source.readyState === EventSource.CLOSED) {
      // The browser gave up (an HTTP error): find out whether the session ended, else try again later.
      source = null;
      api('/metrics').then(renderMetrics, () => undefined).finally(() => {
        if (state.paused || source) return;
        retryTimer = setTimeout(connectLive, retryDelay);
        retryDelay = Math.min(retryDelay * 2, 30_000);
      });
    }
  });
}

function disconnect() {
  clearTimeout(retryTimer);
  source?.close();
  source = null;
}

function onTask(record) {
  countFinished(record);
  applyTaskEvent(record);
  applyDeadEvent(record);
  if (record.taskId === state.detailId) refreshDetail();
  if (record.scheduleName && state.tab === 'schedules') {
    clearTimeout(scheduleTimer);
    scheduleTimer = setTimeout(loadSchedules, 300);
  }
}

function setPaused(paused) {
  state.paused = paused;
  const button = $('pause-live');
  button.setAttribute('aria-pressed', String(paused));
  button.textContent = paused ? 'Resume' : 'Pause';
  button.title = paused ? 'Apply live updates again (reloads the current page)' : 'Stop applying live updates';
  if (paused) {
    disconnect();
    indicate('paused');
  } else {
    indicate('connecting');
    connectLive();
    catchUp();
  }
}

function catchUp() {
  loadTasks();
  loadMetrics();
  if (state.tab === 'dead') loadDead();
  if (state.tab === 'schedules') loadSchedules();
  if (state.detailId) refreshDetail();
}

export function bindLive() {
  $('pause-live').addEventListener('click', () => setPaused(!state.paused));
}
