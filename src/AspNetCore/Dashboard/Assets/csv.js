// CSV export of the filtered task list (up to 10,000 rows), fetched page by page.
import { $, h } from './dom.js';
import { api } from './api.js';
import { toast } from './notify.js';
import { state } from './state.js';
import { listQuery } from './tasks.js';

const CSV_COLUMNS = ['taskId', 'name', 'status', 'priority', 'source', 'scheduleName', 'replayOf', 'createdAt', 'startedAt', 'endedAt',
  'duration', 'retriesUsed', 'maxRetries', 'error', 'errorType'];
const CSV_LIMIT = 10_000;

function csvCell(value) {
  let text = value === null || value === undefined ? '' : String(value);
  // A spreadsheet would run a cell starting with these as a formula, leading spaces or not.
  if (/^(\s*[=+\-@]|[\t\r])/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

async function exportCsv() {
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
}

export function bindCsvExport() {
  $('export-csv').addEventListener('click', exportCsv);
}
