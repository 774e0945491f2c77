// Tabs and the URL: the hash holds the view (#tasks, #dead, #schedules, #registry, #cluster, or #task/<id>),
// so a reload or a shared link shows the same thing.
import { $ } from './dom.js';
import { state } from './state.js';
import { loadDead } from './dead.js';
import { loadSchedules } from './schedules.js';
import { loadRegistry } from './registry.js';
import { watchCluster } from './cluster.js';
import { closeDetail, openDetail } from './detail.js';

const TABS = ['tasks', 'dead', 'schedules', 'registry', 'cluster'];

function showTab(name) {
  state.tab = name;
  for (const tab of TABS) {
    const button = $(`tab-${tab}`);
    const selected = tab === name;
    button.setAttribute('aria-selected', String(selected));
    button.tabIndex = selected ? 0 : -1;
    $(`panel-${tab}`).hidden = !selected;
  }
  if (name === 'dead') loadDead();
  if (name === 'schedules') loadSchedules();
  if (name === 'registry') loadRegistry();
  watchCluster(name === 'cluster');
}

const setHash = value => { if (location.hash !== `#${value}`) location.hash = value; else route(); };

/** Shows what the hash names. */
export function route() {
  const hash = decodeURIComponent(location.hash.slice(1));
  const match = /^task\/([0-9a-fA-F-]{36})$/.exec(hash);
  if (match) {
    openDetail(match[1].toLowerCase());
    return;
  }
  closeDetail({ updateHash: false });
  showTab(TABS.includes(hash) ? hash : 'tasks');
}

/** Tab buttons (click, arrow keys, Home, End) and the browser's back and forward. */
export function bindNavigation() {
  for (const tab of TABS) {
    $(`tab-${tab}`).addEventListener('click', () => setHash(tab));
    $(`tab-${tab}`).addEventListener('keydown', event => {
      const index = TABS.indexOf(tab);
      const next = event.key === 'ArrowRight' ? TABS[(index + 1) % TABS.length]
        : event.key === 'ArrowLeft' ? TABS[(index + TABS.length - 1) % TABS.length]
        : event.key === 'Home' ? TABS[0] : event.key === 'End' ? TABS[TABS.length - 1] : null;
      if (next) {
        event.preventDefault();
        setHash(next);
        $(`tab-${next}`).focus();
      }
    });
  }
  window.addEventListener('hashchange', route);
}
