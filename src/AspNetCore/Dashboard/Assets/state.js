// The page's shared state: what the tabs show, the paging of the task list, the dead-letter selection.

export const TERMINAL = new Set(['success', 'failed', 'interrupted', 'cancelled']);
export const STATUSES = ['pending', 'running', 'retrying', 'success', 'failed', 'interrupted', 'cancelled'];

export const state = {
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

/** Keeps a task's name for dialogs that only know its id. */
export const remember = record => { if (record?.taskId && record.name) state.names.set(record.taskId, record.name); };
