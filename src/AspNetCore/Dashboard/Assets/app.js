// TaskFlow dashboard. Plain JS, no build step. Every value that comes from a task (names, errors, args, logs) is
// written with textContent or createTextNode, never parsed as HTML.
'use strict';

(() => {
  const meta = name => document.querySelector(`meta[name="${name}"]`)?.content ?? '';
  const config = {
    base: meta('taskflow-base').replace(/\/$/, ''),
    token: meta('taskflow-antiforgery'),
    user: meta('taskflow-user'),
    role: meta('taskflow-role') || 'local',
    login: meta('taskflow-login') === 'true',
    traceUrl: meta('taskflow-trace-url'),
  };
  const canAct = config.role !== 'viewer';
  const TERMINAL = new Set(['success', 'failed', 'interrupted', 'cancelled']);
  const STATUSES = ['pending', 'running', 'retrying', 'success', 'failed', 'interrupted', 'cancelled'];
  const $ = id => document.getElementById(id);

  // ---------- DOM helpers ----------

  /** Builds an element; children may be nodes or strings (strings become text nodes). */
  function h(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props ?? {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key === 'text') node.textContent = value;
      else if (key === 'dataset') Object.assign(node.dataset, value);
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else if (value === true) node.setAttribute(key, '');
      else node.setAttribute(key, String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const svg = (tag, attrs) => {
    const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs ?? {})) node.setAttribute(k, String(v));
    return node;
  };

  function badge(status) {
    return h('span', { class: `badge badge-${status}`, text: status });
  }

  // ---------- formatting ----------

  function formatDuration(seconds) {
    if (seconds === null || seconds === undefined) return '—';
    if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
    if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
    const m = Math.floor(seconds / 60), s = Math.round(seconds % 60);
    if (m < 60) return `${m}m ${String(s).padStart(2, '0')}s`;
    return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
  }

  const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const dateTimeFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });

  function formatTime(iso) {
    if (!iso) return '—';
    const date = new Date(iso);
    return date.toDateString() === new Date().toDateString() ? timeFormat.format(date) : dateTimeFormat.format(date);
  }

  function formatRelative(iso) {
    if (!iso) return '—';
    const seconds = Math.round((new Date(iso).getTime() - Date.now()) / 1000);
    const abs = Math.abs(seconds);
    const [value, unit] = abs < 60 ? [abs, 's'] : abs < 3600 ? [Math.round(abs / 60), 'min'] : abs < 86400 ? [Math.round(abs / 3600), 'h'] : [Math.round(abs / 86400), 'd'];
    return seconds >= 0 ? `in ${value} ${unit}` : `${value} ${unit} ago`;
  }

  function timeCell(iso, relative = false) {
    return h('time', { datetime: iso ?? undefined, title: iso ? new Date(iso).toLocaleString() : undefined },
      relative ? formatRelative(iso) : formatTime(iso));
  }

  const shortId = id => id.slice(0, 8);
  const percent = value => value === null || value === undefined ? '—' : `${(value * 100).toFixed(value >= 0.9995 || value === 0 ? 0 : 1)}%`;
  const count = value => (value ?? 0).toLocaleString();

  // ---------- HTTP ----------

  class ApiError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  function goToLogin() {
    const returnUrl = location.pathname + location.search + location.hash;
    location.assign(`${config.base}/dashboard/login?returnUrl=${encodeURIComponent(returnUrl)}`);
  }

  /** Every call of the page goes through here: same-origin cookies, the client header, the anti-forgery token on
   *  changes, a 401 sends the browser to the login page, and a 403 on a change says the role is the reason. */
  async function api(path, { method = 'GET', body } = {}) {
    const headers = { 'X-TaskFlow-Client': 'dashboard', Accept: 'application/json' };
    const changes = method !== 'GET';
    if (changes) headers['X-TaskFlow-Antiforgery'] = config.token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(config.base + path, {
      method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401) {
      goToLogin();
      throw new ApiError(401, 'Your session has ended.');
    }
    if (response.status === 403 && changes) {
      throw new ApiError(403, 'Your role cannot do this');
    }
    if (!response.ok) {
      let message = `${response.status} ${response.statusText}`;
      try {
        const problem = await response.json();
        message = problem.detail || problem.title || message;
      } catch { /* not JSON: keep the status line */ }
      throw new ApiError(response.status, message);
    }
    return response.status === 204 ? null : response.json();
  }

  /** Runs a user action: toasts its error instead of leaving it unhandled. */
  async function act(work, success) {
    try {
      const result = await work();
      if (success) toast(typeof success === 'function' ? success(result) : success, 'success');
      return result;
    } catch (error) {
      toast(error.message || String(error), 'error');
      return undefined;
    }
  }

  function toast(message, kind = 'info') {
    const node = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : undefined, text: message });
    $('toasts').append(node);
    setTimeout(() => node.remove(), kind === 'error' ? 7000 : 4000);
  }

  // ---------- shared state ----------

  const state = {
    tab: 'tasks',
    filters: { status: '', name: '', since: '', search: '' },
    pageSize: 50,
    cursors: [null],       // cursors[i] is the cursor that loads page i
    page: 0,
    nextCursor: null,
    rows: [],              // records of the current page, server order
    sort: { key: 'createdAt', dir: 'desc' },
    paused: false,
    dead: { rows: [], next: null, selected: new Set() },
    names: new Map(),      // taskId -> name, for dialogs that only have ids
    detailId: null,
    registry: [],
  };

  const remember = record => { if (record?.taskId && record.name) state.names.set(record.taskId, record.name); };

  // ---------- theme ----------

  const THEME_KEY = 'taskflow.theme';
  const systemDark = window.matchMedia('(prefers-color-scheme: dark)');
  function applyTheme() {
    const chosen = localStorage.getItem(THEME_KEY);
    document.documentElement.dataset.theme = chosen === 'light' || chosen === 'dark' ? chosen : (systemDark.matches ? 'dark' : 'light');
  }
  $('theme-toggle').addEventListener('click', () => {
    localStorage.setItem(THEME_KEY, document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark');
    applyTheme();
  });
  systemDark.addEventListener('change', applyTheme);
  applyTheme();

  // ---------- user, role, logout ----------

  if (!canAct) document.body.classList.add('role-viewer');
  if (config.login) {
    $('user-box').hidden = false;
    $('user-name').textContent = config.user;
    $('user-role').textContent = config.role;
    $('logout').addEventListener('click', () => {
      // A real form POST, so the server can clear the cookie and redirect; the token guards it against forgery.
      const form = h('form', { method: 'post', action: `${config.base}/dashboard/logout`, hidden: true },
        h('input', { type: 'hidden', name: '__RequestVerificationToken', value: config.token }));
      document.body.append(form);
      form.submit();
    });
  }

  // ---------- tabs and URL ----------

  const TABS = ['tasks', 'dead', 'schedules', 'registry', 'cluster'];

  function showTab(name, { focus = false } = {}) {
    state.tab = name;
    for (const tab of TABS) {
      const button = $(`tab-${tab}`);
      const selected = tab === name;
      button.setAttribute('aria-selected', String(selected));
      button.tabIndex = selected ? 0 : -1;
      $(`panel-${tab}`).hidden = !selected;
      if (selected && focus) button.focus();
    }
    if (name === 'dead') loadDead();
    if (name === 'schedules') loadSchedules();
    if (name === 'registry') loadRegistry();
    cluster.watch(name === 'cluster');
  }

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

  const setHash = value => { if (location.hash !== `#${value}`) location.hash = value; else route(); };

  /** The hash holds the view: #tasks, #dead, #schedules, #registry, #cluster, or #task/<id> for a task's detail. */
  function route() {
    const hash = decodeURIComponent(location.hash.slice(1));
    const match = /^task\/([0-9a-fA-F-]{36})$/.exec(hash);
    if (match) {
      openDetail(match[1].toLowerCase());
      return;
    }
    closeDetail({ updateHash: false });
    showTab(TABS.includes(hash) ? hash : 'tasks');
  }
  window.addEventListener('hashchange', route);

  // ---------- metrics cards ----------

  function renderMetrics(m) {
    $('m-pending').textContent = count(m.pending);
    $('m-running').textContent = count(m.running);
    $('m-retrying').textContent = count(m.retrying);
    $('m-success').textContent = count(m.success);
    $('m-failed').textContent = count(m.failed);
    $('m-interrupted').textContent = m.interrupted ? `+ ${count(m.interrupted)} interrupted` : '';
    $('m-rate').textContent = percent(m.successRate);
    $('m-duration').textContent = formatDuration(m.avgDurationSeconds);
    $('m-p95').textContent = m.p95DurationSeconds === null || m.p95DurationSeconds === undefined ? '' : `p95 ${formatDuration(m.p95DurationSeconds)}`;
    const queue = $('m-queue');
    const entries = Object.entries(m.queuedByPriority ?? {});
    queue.replaceChildren(...(entries.length
      ? entries.map(([priority, n]) => h('span', { class: 'queue-chip', title: `${n} waiting at priority ${priority}` }, `p${priority} `, h('b', { text: count(n) })))
      : [h('span', { class: 'muted', text: 'Nothing waiting' })]));
    $('m-capacity').textContent = `${count(m.running)} of ${count(m.maxConcurrency)} slots in use`;
    const dead = (m.failed ?? 0) + (m.interrupted ?? 0);
    $('dead-count').hidden = dead === 0;
    $('dead-count').textContent = count(dead);
    chart.sampleActive((m.pending ?? 0) + (m.running ?? 0) + (m.retrying ?? 0));
  }

  async function loadMetrics() {
    try {
      renderMetrics(await api('/metrics'));
    } catch (error) {
      if (error.status !== 401) console.warn('metrics', error.message);
    }
  }

  // ---------- throughput chart ----------

  /** Finished tasks per 10 s bucket over the last 10 minutes, from the stream (seeded from history on load), and the
   *  number in flight from each metrics event. */
  const chart = (() => {
    const BUCKET = 10_000, BUCKETS = 60;
    const finished = new Map();   // bucket index -> { success, failed }
    const counted = new Map();    // taskId -> time counted, so a repeated event is not counted twice
    const active = [];            // [time, inFlight]
    const bucketOf = time => Math.floor(time / BUCKET);

    function countFinished(record) {
      if (!['success', 'failed', 'interrupted'].includes(record.status) || counted.has(record.taskId)) return;
      const at = new Date(record.endedAt ?? Date.now()).getTime();
      if (at < Date.now() - BUCKET * BUCKETS) return;
      counted.set(record.taskId, at);
      const bucket = finished.get(bucketOf(at)) ?? { success: 0, failed: 0 };
      if (record.status === 'success') bucket.success++; else bucket.failed++;
      finished.set(bucketOf(at), bucket);
      schedule();
    }

    function sampleActive(n) {
      active.push([Date.now(), n]);
      while (active.length && active[0][0] < Date.now() - BUCKET * BUCKETS) active.shift();
      schedule();
    }

    let pending = false;
    function schedule() {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => { pending = false; render(); });
    }

    function render() {
      const W = 600, H = 140;
      const now = Date.now();
      const last = bucketOf(now), first = last - BUCKETS + 1;
      for (const key of finished.keys()) if (key < first) finished.delete(key);
      for (const [id, at] of counted) if (at < first * BUCKET) counted.delete(id);
      let max = 1, totalSuccess = 0, totalFailed = 0;
      for (let b = first; b <= last; b++) {
        const v = finished.get(b);
        if (v) { max = Math.max(max, v.success + v.failed); totalSuccess += v.success; totalFailed += v.failed; }
      }
      const activeMax = Math.max(1, ...active.map(a => a[1]));
      max = niceCeiling(max);
      const node = $('chart-svg');
      const children = [];
      for (const f of [0.25, 0.5, 0.75, 1]) children.push(svg('line', { class: 'grid-line', x1: 0, x2: W, y1: H - H * f, y2: H - H * f, 'vector-effect': 'non-scaling-stroke' }));
      const slot = W / BUCKETS, barWidth = slot * 0.72;
      for (let b = first; b <= last; b++) {
        const x = (b - first) * slot + (slot - barWidth) / 2;
        const v = finished.get(b) ?? { success: 0, failed: 0 };
        const group = svg('g');
        const title = svg('title');
        title.textContent = `${timeFormat.format(new Date(b * BUCKET))}: ${v.success} succeeded, ${v.failed} failed`;
        group.append(title, svg('rect', { class: 'bar-hit', x: (b - first) * slot, y: 0, width: slot, height: H }));
        const hs = (v.success / max) * H, hf = (v.failed / max) * H;
        if (hs > 0) group.append(svg('rect', { class: 'bar-success', x, y: H - hs, width: barWidth, height: hs, rx: 1 }));
        if (hf > 0) group.append(svg('rect', { class: 'bar-failed', x, y: H - hs - hf, width: barWidth, height: hf, rx: 1 }));
        children.push(group);
      }
      const points = active.filter(a => a[0] >= first * BUCKET)
        .map(([t, n]) => `${(((t - first * BUCKET) / (BUCKET * BUCKETS)) * W).toFixed(1)},${(H - (n / activeMax) * H * 0.9).toFixed(1)}`);
      if (points.length > 1) children.push(svg('polyline', { class: 'active-line', points: points.join(' '), 'vector-effect': 'non-scaling-stroke' }));
      node.replaceChildren(...children);
      $('chart-max').textContent = String(max);
      $('chart-from').textContent = timeFormat.format(new Date(first * BUCKET));
      const inFlight = active.length ? active[active.length - 1][1] : null;
      $('chart-summary').textContent = `${totalSuccess.toLocaleString()} succeeded, ${totalFailed.toLocaleString()} failed in 10 minutes` +
        (inFlight === null ? '' : ` · ${inFlight.toLocaleString()} in flight now (peak ${activeMax.toLocaleString()})`);
    }

    function niceCeiling(n) {
      if (n <= 5) return 5;
      const magnitude = 10 ** Math.floor(Math.log10(n));
      for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= n) return step * magnitude;
      return n;
    }

    /** Seeds the chart with what finished in the window before the page opened. */
    async function seed() {
      let cursor = null;
      for (let page = 0; page < 4; page++) {
        const result = await api(`?status=success,failed,interrupted&since=11m&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        result.items.forEach(countFinished);
        cursor = result.nextCursor;
        if (!cursor) break;
      }
    }

    setInterval(schedule, BUCKET);   // slide the window even when nothing happens
    return { countFinished, sampleActive, seed };
  })();

  // ---------- tasks table ----------

  function listQuery(filters, extra = {}) {
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
  async function loadTasks() {
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

  /** A finished task's duration; a running one's time so far, kept current by the ticker below. */
  function durationCell(node, record) {
    if (record.status === 'running' && record.startedAt) {
      node.classList.add('elapsed');
      node.dataset.started = record.startedAt;
      node.title = 'Running for';
      node.textContent = formatElapsed(record.startedAt);
    } else {
      node.textContent = formatDuration(record.duration);
    }
    return node;
  }

  const formatElapsed = started => `${formatDuration(Math.max(0, (Date.now() - new Date(started).getTime()) / 1000))}…`;
  setInterval(() => {
    for (const node of document.querySelectorAll('.elapsed[data-started]')) node.textContent = formatElapsed(node.dataset.started);
  }, 1000);

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

  /** A status change from the stream: update the row in place, or insert it when it belongs on the first page. */
  function applyTaskEvent(record) {
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
  let reloadTimer;

  // A full first page only takes records at least as new as its oldest row; older ones belong to later pages.
  const isNewerThanLast = record => state.rows.length < state.pageSize || record.createdAt >= state.rows[state.rows.length - 1].createdAt;

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

  function rowActivation(body) {
    body.addEventListener('click', event => {
      if (event.target.closest('input, button, a')) return;
      const row = event.target.closest('tr[data-task-id]');
      if (row) location.hash = `task/${row.dataset.taskId}`;
    });
    body.addEventListener('keydown', event => {
      const row = event.target.closest('tr[data-task-id]');
      if (!row || event.target !== row) return;
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        location.hash = `task/${row.dataset.taskId}`;
      } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        (event.key === 'ArrowDown' ? row.nextElementSibling : row.previousElementSibling)?.focus();
      }
    });
  }
  rowActivation($('tasks-body'));
  rowActivation($('dead-body'));

  // ---------- CSV export ----------

  const CSV_COLUMNS = ['taskId', 'name', 'status', 'priority', 'source', 'scheduleName', 'replayOf', 'createdAt', 'startedAt', 'endedAt',
    'duration', 'retriesUsed', 'maxRetries', 'error', 'errorType'];
  const CSV_LIMIT = 10_000;

  function csvCell(value) {
    let text = value === null || value === undefined ? '' : String(value);
    // A spreadsheet would run a cell starting with these as a formula, leading spaces or not.
    if (/^(\s*[=+\-@]|[\t\r])/.test(text)) text = `'${text}`;
    return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  }

  $('export-csv').addEventListener('click', async () => {
    const button = $('export-csv');
    button.disabled = true;
    const label = button.textContent;
    try {
      const rows = [];
      let cursor = null;
      do {
        button.textContent = `Exporting ${rows.length.toLocaleString()}…`;
        const page = await api(listQuery(state.filters, { limit: 500, cursor }));
        rows.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor && rows.length < CSV_LIMIT);
      const lines = [CSV_COLUMNS.join(',')].concat(rows.slice(0, CSV_LIMIT).map(r => CSV_COLUMNS.map(c => csvCell(r[c])).join(',')));
      const blob = new Blob([lines.join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' });
      const link = h('a', { href: URL.createObjectURL(blob), download: `taskflow-tasks-${new Date().toISOString().replace(/[:.]/g, '-')}.csv` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
      toast(`Exported ${Math.min(rows.length, CSV_LIMIT).toLocaleString()} tasks${cursor ? ' (the first 10,000)' : ''}.`, 'success');
    } catch (error) {
      toast(`Export failed: ${error.message}`, 'error');
    } finally {
      button.disabled = false;
      button.textContent = label;
    }
  });

  // ---------- task detail ----------

  let detailTimer = null;
  let detailRecord = null;
  let lastFocus = null;

  async function openDetail(id) {
    if (state.detailId !== id) {
      lastFocus = document.activeElement;
      state.detailId = id;
      detailRecord = null;
      $('detail-title').textContent = state.names.get(id) ?? 'Loading…';
      $('detail-id').textContent = id;
      $('detail-body').replaceChildren(h('p', { class: 'muted', text: 'Loading…' }));
    }
    $('task-detail').hidden = false;
    $('detail-scrim').hidden = false;
    $('task-detail').focus();
    await refreshDetail();
  }

  function closeDetail({ updateHash = true } = {}) {
    if (!state.detailId) return;
    state.detailId = null;
    detailRecord = null;
    clearTimeout(detailTimer);
    $('task-detail').hidden = true;
    $('detail-scrim').hidden = true;
    if (updateHash) history.replaceState(null, '', `#${state.tab}`);
    if (lastFocus?.isConnected) lastFocus.focus();
  }

  $('detail-close').addEventListener('click', () => closeDetail());
  $('detail-scrim').addEventListener('click', () => closeDetail());
  document.addEventListener('keydown', event => {
    if (event.key === 'Escape' && state.detailId && !$('replay-confirm').open) closeDetail();
  });

  /** Loads the record; while the task is not finished, again about every second (progress and logs are live). */
  async function refreshDetail() {
    const id = state.detailId;
    clearTimeout(detailTimer);
    if (!id) return;
    try {
      const record = await api(`/${id}`);
      if (state.detailId !== id) return;
      remember(record);
      detailRecord = record;
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
    return h('button', { type: 'button', class: 'link-button mono', onclick: () => { location.hash = `task/${id}`; } }, id);
  }

  function renderDetail(r) {
    $('detail-title').textContent = r.name;
    $('detail-id').textContent = r.taskId;
    const body = $('detail-body');
    const scroll = body.scrollTop;
    const openStacks = new Set([...body.querySelectorAll('details[open]')].map(d => d.dataset.key));

    const actions = h('div', { class: 'actions' });
    if (!TERMINAL.has(r.status)) {
      actions.append(h('button', {
        type: 'button', class: 'btn btn-danger action', id: 'detail-cancel',
        onclick: () => act(() => api(`/${r.taskId}/cancel`, { method: 'POST' }), 'Cancellation requested.').then(refreshDetail),
      }, 'Cancel'));
    }
    if (['failed', 'interrupted', 'cancelled'].includes(r.status)) {
      actions.append(h('button', {
        type: 'button', class: 'btn btn-primary action', id: 'detail-retry',
        onclick: async () => {
          const result = await act(() => api(`/${r.taskId}/retry`, { method: 'POST' }), 'Replayed as a new task.');
          if (result?.taskId) location.hash = `task/${result.taskId}`;
        },
      }, 'Replay'));
    }

    // The trace id, linked to the operator's tracing tool when TaskFlow:Telemetry:TraceUrl is set (an http(s) URL,
    // checked at start-up; the id is hex, so nothing in it can change the link's meaning).
    function traceCell(traceId) {
      const id = h('span', { class: 'mono', id: 'detail-trace', text: traceId });
      if (!config.traceUrl || !/^[0-9a-f]{32}$/.test(traceId)) return id;
      return h('a', { href: config.traceUrl.replace('{traceId}', traceId), target: '_blank', rel: 'noopener noreferrer', id: 'detail-trace-link' }, id);
    }

    const parts = [h('div', { class: 'detail-bar' }, badge(r.status),
      r.source !== 'api' ? h('span', { class: 'tag-source', text: r.source }) : null,
      h('span', { class: 'muted', text: `priority ${r.priority}` }), actions)];

    if (typeof r.progress === 'number') {
      const pct = Math.round(r.progress * 100);
      const fill = h('div', { class: `progress-fill${r.status === 'success' ? ' done' : ''}` });
      fill.style.width = `${pct}%`;
      parts.push(h('div', { class: 'progress', id: 'detail-progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': pct },
        h('div', { class: 'progress-label' }, h('span', { text: 'Progress' }), h('span', { text: `${pct}%` })),
        h('div', { class: 'progress-track' }, fill)));
    }

    if (r.error) parts.push(h('pre', { class: 'error-box', id: 'detail-error' }, r.errorType ? `${r.errorType}: ` : '', r.error));

    const tags = Object.entries(r.tags ?? {});
    parts.push(h('dl', { class: 'facts' },
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
      tags.length ? fact('Tags', h('span', { class: 'mono', text: tags.map(([k, v]) => `${k}=${v}`).join(', ') })) : []));

    parts.push(h('h3', { class: 'section-title', text: 'Arguments' }),
      h('pre', { class: 'code', id: 'detail-args', text: JSON.stringify(r.args ?? {}, null, 2) }));

    parts.push(h('h3', { class: 'section-title', text: `Attempts (${(r.attempts ?? []).length})` }));
    const attempts = r.attempts ?? [];
    if (!attempts.length) parts.push(h('p', { class: 'muted', text: r.nextAttemptAt ? 'Not started yet; due at the next attempt time.' : 'Not started yet.' }));
    for (const a of [...attempts].reverse()) {
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
      parts.push(node);
    }

    const logs = r.logs ?? [];
    parts.push(h('h3', { class: 'section-title', text: `Logs (${logs.length})` }));
    if (!logs.length) parts.push(h('p', { class: 'muted', text: 'Nothing logged through the task’s logger.' }));
    else {
      parts.push(h('table', { class: 'logs', id: 'detail-logs' }, h('tbody', {}, logs.map(l => h('tr', {},
        h('td', {}, timeCell(l.at)),
        h('td', { class: `level level-${l.level}`, text: l.level }),
        h('td', { title: 'attempt', text: `#${l.attempt}` }),
        h('td', { class: 'log-message', text: l.message }))))));
    }

    body.replaceChildren(...parts);
    body.scrollTop = scroll;
  }

  // ---------- dead letters ----------

  async function loadDead({ more = false } = {}) {
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

  function applyDeadEvent(record) {
    if (!['failed', 'interrupted'].includes(record.status) || state.dead.rows.some(r => r.taskId === record.taskId)) return;
    state.dead.rows.push(record);
    state.dead.rows.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
    if (state.tab === 'dead') renderDead();
  }

  $('replay-selected').addEventListener('click', () => {
    const n = state.dead.selected.size;
    replayFlow({ taskIds: [...state.dead.selected] }, `You selected ${n} task${n === 1 ? '' : 's'}.`);
  });
  $('replay-window').addEventListener('click', () => {
    const select = $('replay-window-size');
    replayFlow({ since: select.value }, `Failed and interrupted tasks created in the ${select.selectedOptions[0].textContent.toLowerCase()}.`);
  });

  /** Dry run first; the dialog lists exactly what the dry run said would run; only Confirm dispatches. */
  async function replayFlow(selection, description) {
    if (!canAct) { toast('Your role cannot do this', 'error'); return; }
    const dry = await act(() => api('/replay', { method: 'POST', body: { ...selection, dryRun: true } }));
    if (!dry) return;
    await nameUnknown(dry.results.map(r => r.originalTaskId));
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
    const confirmed = await new Promise(resolve => {
      dialog.returnValue = '';
      dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), { once: true });
      dialog.showModal();
      (willRun.length ? $('replay-confirm-ok') : $('replay-confirm-cancel')).focus();
    });
    if (!confirmed) return;

    // Replay exactly what was shown: the ids of the dry run, not the window again (it may have grown since).
    const ids = willRun.map(r => r.originalTaskId);
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

  // ---------- schedules ----------

  async function loadSchedules() {
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
    return h('tr', { dataset: { schedule: s.name } },
      h('td', { class: 'cell-name', text: s.name }),
      h('td', { class: 'mono', text: when }),
      h('td', {}, s.paused ? h('span', { class: 'muted', text: 'paused' }) : timeCell(s.nextRunAt), s.nextRunAt && !s.paused ? h('span', { class: 'muted', text: ` · ${formatRelative(s.nextRunAt)}` }) : null),
      h('td', {}, s.lastRunAt ? timeCell(s.lastRunAt) : h('span', { class: 'muted', text: 'never' })),
      h('td', {}, s.lastStatus ? badge(s.lastStatus) : h('span', { class: 'muted', text: '—' }),
        s.lastTaskId ? h('button', { type: 'button', class: 'link-button mono', title: 'Open the last task', onclick: () => { location.hash = `task/${s.lastTaskId}`; } }, ` ${shortId(s.lastTaskId)}`) : null),
      h('td', {}, h('span', { class: `badge ${s.paused ? 'badge-paused' : 'badge-active'}`, text: s.paused ? 'paused' : 'active' })),
      h('td', { class: 'col-actions' }, h('div', { class: 'cell-actions' },
        s.paused
          ? h('button', { type: 'button', class: 'btn btn-small action', 'data-action': 'resume', onclick: () => change('resume', `Resumed ${s.name}.`) }, 'Resume')
          : h('button', { type: 'button', class: 'btn btn-small action', 'data-action': 'pause', onclick: () => change('pause', `Paused ${s.name}.`) }, 'Pause'),
        h('button', { type: 'button', class: 'btn btn-small action', 'data-action': 'trigger', onclick: () => change('trigger', `Triggered ${s.name}.`) }, 'Trigger now'))));
  }

  // ---------- cluster ----------

  /** The Cluster tab: the silos (silos report every 2 s), reloaded every 2 s while the tab is shown. */
  const cluster = (() => {
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

    const siloStatusText = status => ({
      active: 'active', joining: 'joining', shuttingDown: 'shutting down', stopping: 'stopping', dead: 'dead',
      draining: 'draining',
    })[status] ?? status;

    function watch(on) {
      clearInterval(timer);
      timer = null;
      if (!on) return;
      load();
      timer = setInterval(() => { if (!document.hidden) load(); }, PERIOD);
    }

    return { watch };
  })();

  // ---------- registry ----------

  async function loadRegistry() {
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

  // ---------- live updates ----------

  const live = (() => {
    let source = null;
    let retryTimer = null;
    let retryDelay = 1000;
    let missedSome = false;
    let scheduleTimer = null;

    function indicate(mode) {
      const indicator = $('live-indicator');
      indicator.dataset.state = mode;
      indicator.querySelector('.live-text').textContent =
        { live: 'Live', reconnecting: 'Reconnecting…', paused: 'Paused', connecting: 'Connecting…' }[mode];
      indicator.title = { live: 'Updates arrive as they happen', reconnecting: 'The live connection dropped; retrying', paused: 'Live updates are paused', connecting: 'Connecting' }[mode];
    }

    function connect() {
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
            retryTimer = setTimeout(connect, retryDelay);
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
      chart.countFinished(record);
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
        connect();
        catchUp();
      }
    }

    /** Events that were missed (paused, or the connection dropped) are not replayed: reload what is on screen. */
    function catchUp() {
      loadTasks();
      loadMetrics();
      if (state.tab === 'dead') loadDead();
      if (state.tab === 'schedules') loadSchedules();
      if (state.detailId) refreshDetail();
    }

    $('pause-live').addEventListener('click', () => setPaused(!state.paused));
    return { connect };
  })();

  // ---------- start ----------

  route();
  loadRegistry();
  loadTasks();
  loadMetrics();
  chart.seed().catch(() => undefined);
  live.connect();
})();
