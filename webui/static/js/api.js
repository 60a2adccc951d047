// The REST API: JSON in and out, the CSRF token on every state-changing
// call, the server's own error sentence on failure.

// The CSRF token is random per server start: it comes with the page and is
// fetched again after a reconnect (the server may have restarted).
let csrf = document.querySelector('meta[name="csrf-token"]').content;

export async function api(method, path, body) {
  const opts = { method, headers: {} };
  if (method !== 'GET') opts.headers['X-CSRF-Token'] = csrf;
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  let resp;
  try {
    resp = await fetch(path, opts);
  } catch (_) {
    throw new Error('The posturewatch server is not reachable.');
  }
  let data = null;
  try { data = await resp.json(); } catch (_) { /* not JSON */ }
  if (!resp.ok) throw new Error((data && data.error) || ('HTTP ' + resp.status));
  return data;
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body);

export async function refreshCSRF() {
  try {
    const r = await get('/api/csrf');
    if (r && r.token) csrf = r.token;
  } catch (_) { /* retried on the next hello */ }
}
