// What the server wrote into the page's meta tags: the base path, the anti-forgery token, who is looking and what
// they may do, and the tracing tool to link.

const meta = name => document.querySelector(`meta[name="${name}"]`)?.content ?? '';

export const config = Object.freeze({
  base: meta('taskflow-base').replace(/\/$/, ''),
  token: meta('taskflow-antiforgery'),
  user: meta('taskflow-user'),
  role: meta('taskflow-role') || 'local',
  login: meta('taskflow-login') === 'true',
  traceUrl: meta('taskflow-trace-url'),
});

export const canAct = config.role !== 'viewer';
