// The About panel's own part: where your data lives and its size, the
// history's download and deletion (asked first), the settings the
// environment holds, what leaves this computer, and the self-checks. It is
// loaded by the About section itself and touches nothing outside it.
import { api, get } from './api.js';

const $ = (id) => document.getElementById(id);

function bytes(n) {
  if (n < 1024) return n + ' B';
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return v.toFixed(v < 10 ? 1 : 0) + ' ' + units[i];
}

function item(text, cls) {
  const li = document.createElement('li');
  li.textContent = text;
  if (cls) li.className = cls;
  return li;
}

function render(a) {
  const places = $('about-places');
  places.replaceChildren(...a.places.map((p) => {
    const tr = document.createElement('tr');
    const size = p.exists ? bytes(p.bytes) : 'not there yet';
    for (const [text, cls] of [[p.what, ''], [p.path, 'about-path'], [size, 'about-size']]) {
      const td = document.createElement('td');
      td.textContent = text;
      if (cls) td.className = cls;
      tr.append(td);
    }
    tr.dataset.what = p.what;
    return tr;
  }));

  const env = $('about-env');
  env.replaceChildren(...(a.environment.length
    ? a.environment.map((e) => item(e.setting + ' is set by ' + e.var + ' for this run: the settings panel cannot change it, and it is not saved in your settings file.'))
    : [item('None: every setting comes from your settings file.')]));

  const out = [];
  out.push(item(a.metrics
    ? 'Prometheus metrics are served at /metrics on this dashboard\'s address (counts and timings, no pictures).'
    : 'No Prometheus metrics (run --metrics to serve them).'));
  out.push(item(a.webhook
    ? 'Nudges and state changes are sent to a webhook at ' + a.webhook + '.'
    : 'No webhook: nothing is sent anywhere.'));
  $('about-outside').replaceChildren(...out);

  const checks = $('about-checks');
  checks.replaceChildren(...a.checks.map((c) => {
    const li = item(c.what, 'about-check');
    li.dataset.level = c.level;
    if (c.fix) {
      const fix = document.createElement('span');
      fix.className = 'about-fix';
      fix.textContent = ' → ' + c.fix;
      li.append(fix);
    }
    return li;
  }));

  for (const id of ['about-export-csv', 'about-export-json', 'about-delete']) {
    const el = $(id);
    if (a.history_kept) el.removeAttribute('aria-disabled'); else el.setAttribute('aria-disabled', 'true');
  }
  $('about-delete').disabled = !a.history_kept;
}

async function load() {
  try {
    render(await get('/api/about'));
  } catch (err) {
    $('about-checks').replaceChildren(item('The About facts could not be read: ' + err.message, 'about-check'));
  }
}

function initDelete() {
  const ask = $('about-delete-confirm');
  const msg = $('about-delete-msg');
  $('about-delete').addEventListener('click', () => {
    msg.textContent = '';
    ask.hidden = false;
    $('about-delete-no').focus();
  });
  $('about-delete-no').addEventListener('click', () => {
    ask.hidden = true;
    msg.textContent = 'Nothing was deleted.';
  });
  $('about-delete-yes').addEventListener('click', async () => {
    ask.hidden = true;
    try {
      const r = await api('DELETE', '/api/history');
      const n = (k, word) => k + ' ' + word + (k === 1 ? '' : 's');
      msg.textContent = 'Deleted ' + n(r.minutes, 'minute') + ' and ' + n(r.events, 'event') + '.';
    } catch (err) {
      msg.textContent = 'Not deleted: ' + err.message;
    }
    load();
  });
}

initDelete();
load();
// the sizes change as the history grows: measure again when the panel is opened
$('about-btn')?.addEventListener('click', load);
