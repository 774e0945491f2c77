// TaskFlow dashboard: native ES modules, no build step. This entry wires the modules to the page and starts it;
// each module holds one concern (see ARCHITECTURE.md, Dashboard).
import { $ } from './dom.js';
import { tickElapsed } from './format.js';
import { bindSession, bindTheme } from './session.js';
import { bindNavigation, route } from './navigation.js';
import { bindTasks, loadTasks } from './tasks.js';
import { bindCsvExport } from './csv.js';
import { bindDetail, openOnActivation } from './detail.js';
import { bindDead } from './dead.js';
import { bindSchedules } from './schedules.js';
import { bindBatches } from './batches.js';
import { loadRegistry } from './registry.js';
import { loadMetrics } from './metrics.js';
import { startChart } from './chart.js';
import { bindLive, connectLive } from './live.js';

bindTheme();
bindSession();
bindNavigation();
bindTasks();
bindCsvExport();
bindDetail();
bindDead();
bindSchedules();
bindBatches();
bindLive();
openOnActivation($('tasks-body'));
openOnActivation($('dead-body'));
tickElapsed();

route();
loadRegistry();
loadTasks();
loadMetrics();
startChart().catch(() => undefined);
connectLive();
