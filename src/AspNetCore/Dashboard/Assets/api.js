// The HTTP client of the page (the stream client is live.js).
import { config } from './config.js';

export class ApiError extends Error {
  /** problem: the ProblemDetails body, when the server sent one (its errors name the fields at fault). */
  constructor(status, message, problem) { super(message); this.status = status; this.problem = problem; }
}

function goToLogin() {
  const returnUrl = location.pathname + location.search + location.hash;
  location.assign(`${config.base}/dashboard/login?returnUrl=${encodeURIComponent(returnUrl)}`);
}

/** Every call of the page goes through here: same-origin cookies, the client header, the anti-forgery token on
 *  changes, a 401 sends the browser to the login page, and a 403 on a change says the role is the reason. */
export async function api(path, { method = 'GET', body } = {}) {
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
    let problem;
    try {
      problem = await response.json();
      message = problem.detail || problem.title || message;
    } catch { /* not JSON: keep the status line */ }
    throw new ApiError(response.status, message, problem);
  }
  return response.status === 204 ? null : response.json();
}
