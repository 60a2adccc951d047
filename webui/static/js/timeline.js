// Today's posture minute by minute, under the live state: the finished
// minutes from GET /api/history?by=minute (earlier runs included) and the
// unfinished one from the live samples, on the server's clock. Hover shows
// a minute; with the keyboard focus on it, the arrow keys read the minutes
// out (Home and End: the first and the last).
import { $ } from './dom.js';
import { get } from './api.js';
import { drawTimeline, watchSize, attachTip, minuteText } from './charts.js';
import { serverNow } from './clock.js';
import { faultLabel } from './vocab.js';

let stored = []; // minutes from the history
let liveMinute = null; // the unfinished minute
let enabled = false;
let cursor = -1; // index into the drawn minutes read by the keyboard
let loading = null;

// minutes are the stored minutes and the live one, in time order (the
// keyboard reads them in it: the live minute appended after a stored one
// of the same start moved that minute to the end).
function minutes() {
  if (!liveMinute) return stored;
  const t = Date.parse(liveMinute.start);
  const i = stored.findIndex((m) => Date.parse(m.start) === t);
  if (i >= 0) {
    // a minute stored by an earlier run and this run's part of it add up
    const out = stored.slice();
    out[i] = sum(stored[i], liveMinute);
    return out;
  }
  const before = stored.filter((m) => Date.parse(m.start) < t);
  return [...before, liveMinute, ...stored.filter((m) => Date.parse(m.start) > t)];
}

function sum(a, b) {
  const f = Object.assign({}, a.fault_s || {});
  for (const [k, v] of Object.entries(b.fault_s || {})) f[k] = (f[k] || 0) + v;
  return { start: a.start, present_s: a.present_s + b.present_s, good_s: a.good_s + b.good_s, nudges: (a.nudges || 0) + (b.nudges || 0), fault_s: f };
}

export function redrawTimeline() {
  const c = $('timeline');
  if (!c) return;
  const ms = minutes().filter((m) => m.present_s > 0);
  const cur = cursor >= 0 && cursor < ms.length ? ms[cursor] : null;
  drawTimeline(c, minutes(), serverNow(), cur, faultLabel);
}

// setTimelineEnabled: whether the server keeps history (from the hello).
export function setTimelineEnabled(on) { enabled = on; }

export async function loadTimeline() {
  if (!enabled) { stored = []; redrawTimeline(); return; }
  if (loading) return;
  loading = get('/api/history?by=minute');
  try {
    const res = await loading;
    // a minute the live sample carries may be stored meanwhile: the stored
    // one wins once the live one has moved on
    stored = (res.buckets || []).filter((m) => m.present_s > 0);
  } catch (_) { /* kept as it was; the next load tries again */ }
  loading = null;
  redrawTimeline();
}

// onLiveMinute takes the unfinished minute of a sample; a new minute means
// the last one is stored, so the history is read again.
export function onLiveMinute(m) {
  if (!m) return;
  const moved = liveMinute && Date.parse(liveMinute.start) !== Date.parse(m.start);
  liveMinute = m;
  if (moved) loadTimeline(); else redrawTimeline();
}

function read() {
  const ms = minutes().filter((m) => m.present_s > 0);
  if (!ms.length) { $('timeline-read').textContent = 'No minutes at the desk yet today.'; return; }
  cursor = Math.max(0, Math.min(cursor, ms.length - 1));
  $('timeline-read').textContent = minuteText(ms[cursor], faultLabel);
  redrawTimeline();
}

export function initTimeline() {
  const c = $('timeline');
  watchSize(c, redrawTimeline);
  attachTip(c);
  c.addEventListener('keydown', (e) => {
    const n = minutes().filter((m) => m.present_s > 0).length;
    if (e.key === 'ArrowLeft') cursor = cursor < 0 ? n - 1 : cursor - 1;
    else if (e.key === 'ArrowRight') cursor = cursor < 0 ? n - 1 : cursor + 1;
    else if (e.key === 'Home') cursor = 0;
    else if (e.key === 'End') cursor = n - 1;
    else return;
    e.preventDefault();
    read();
  });
  c.addEventListener('blur', () => { cursor = -1; redrawTimeline(); });
  setInterval(redrawTimeline, 30000);
}
