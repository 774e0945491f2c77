// Who is looking: the theme they chose, and with configured users their name, role and the logout button.
import { $, h } from './dom.js';
import { canAct, config } from './config.js';

const THEME_KEY = 'taskflow.theme';

/** Light or dark as the user chose on this browser, else as the system prefers; the toggle remembers a choice. */
export function bindTheme() {
  const systemDark = window.matchMedia('(prefers-color-scheme: dark)');
  const applyTheme = () => {
    const chosen = localStorage.getItem(THEME_KEY);
    document.documentElement.dataset.theme = chosen === 'light' || chosen === 'dark' ? chosen : (systemDark.matches ? 'dark' : 'light');
  };
  $('theme-toggle').addEventListener('click', () => {
    localStorage.setItem(THEME_KEY, document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark');
    applyTheme();
  });
  systemDark.addEventListener('change', applyTheme);
  applyTheme();
}

/** A viewer's page hides the actions; with login on, the user box shows who is signed in and logs out. */
export function bindSession() {
  if (!canAct) document.body.classList.add('role-viewer');
  if (!config.login) return;
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
