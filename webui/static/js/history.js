// The History card: today by hour or 14 days by day, from GET /api/history,
// drawn by charts.js (crisp at any size, with tooltips), with a one-line
// summary. The minute-level view of today is the timeline under the live
// state (timeline.js).
import { $ } from './dom.js';
import { get } from './api.js';
import { plural } from './format.js';
import { faultTitle } from './vocab.js';
import { drawShareChart, drawBarChart, watchSize, attachTip } from './charts.js';

let by = 'hour';
let enabled = false;
let timer = null;
let last = null; // what was drawn last: {buckets, faults, note}, for a redraw

// setHistoryEnabled: whether the server records history (from the hello).
export function setHistoryEnabled(on) { enabled = on; }

// scheduleHistory reloads in 2 s; calls meanwhile share the reload.
export function scheduleHistory() {
  if (timer) return;
  timer = setTimeout(() => { timer = null; loadHistory(); }, 2000);
}

export async function loadHistory() {
  if (!enabled) { show([], {}, 'History is not recorded in this run.'); return; }
  let res;
  try {
    res = await get('/api/history?by=' + by);
  } catch (err) {
    show([], {}, err.message);
    return;
  }
  const buckets = res.buckets || [];
  const faults = {};
  for (const b of buckets) {
    for (const [f, s] of Object.entries(b.fault_s || {})) faults[f] = (faults[f] || 0) + s;
  }
  show(buckets, faults, '');
}

// redraw draws the last data again (after the colour scheme or the size changed).
export function redraw() { if (last) show(last.buckets, last.faults, last.note); }

function show(buckets, faults, note) {
  last = { buckets, faults, note };
  drawShareChart($('history-chart'), buckets, by, note);
  const rows = Object.entries(faults).filter(([, s]) => s > 0).sort((a, b) => b[1] - a[1]).slice(0, 6)
    .map(([f, s]) => ({ label: faultTitle(f), value: s, text: (s / 60).toFixed(1) + ' min' }));
  drawBarChart($('faults-chart'), rows, 'No slouching recorded in this period.');
  $('history-summary').textContent = note || summary(buckets);
}

function summary(buckets) {
  let nudges = 0, suggested = 0, done = 0, present = 0, good = 0;
  for (const b of buckets) {
    nudges += b.nudges || 0; suggested += b.breaks_suggested || 0; done += b.breaks_done || 0;
    present += b.present_s || 0; good += b.good_s || 0;
  }
  const share = present > 0 ? Math.round(100 * good / present) + '% good posture' : 'no time at the desk yet';
  return (by === 'hour' ? 'Today: ' : 'Last 14 days: ') + share + ' · ' + plural(nudges, 'nudge') + ' · ' +
    plural(suggested, 'stretch break') + ' suggested · ' + done + ' done';
}

export function initHistory() {
  for (const c of [$('history-chart'), $('faults-chart')]) {
    watchSize(c, redraw);
    attachTip(c);
  }
  for (const b of [$('hist-hour'), $('hist-day')]) {
    b.addEventListener('click', () => {
      by = b.dataset.by;
      $('hist-hour').setAttribute('aria-pressed', String(by === 'hour'));
      $('hist-day').setAttribute('aria-pressed', String(by === 'day'));
      loadHistory();
    });
  }
  setInterval(loadHistory, 60000);
}
