// Toasts, and running a user's action so that its failure is shown rather than left unhandled.
import { $, h } from './dom.js';

export function toast(message, kind = 'info') {
  const node = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : undefined, text: message });
  $('toasts').append(node);
  setTimeout(() => node.remove(), kind === 'error' ? 7000 : 4000);
}

/** Runs a user action: toasts its error instead of leaving it unhandled. */
export async function act(work, success) {
  try {
    const result = await work();
    if (success) toast(typeof success === 'function' ? success(result) : success, 'success');
    return result;
  } catch (error) {
    toast(error.message || String(error), 'error');
    return undefined;
  }
}
