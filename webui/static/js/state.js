// The live-state view: the "Now" card shows what the server pushes (the
// Status of hello and status messages and of API answers, the coach fields
// of sample messages). It never guesses a state from events: an event only
// makes the page refetch the status. Every timer counts on the server's
// clock (clock.js), and nothing counts while the connection is down: the
// card then says it is not live.
import { $, el, cssVar } from './dom.js';
import { get } from './api.js';
import { fmtDur, fmtTime, fmtWhen, fmtClock, capitalize } from './format.js';
import { faultNames, faultLabel, faultTitle } from './vocab.js';
import { serverNow, syncClock } from './clock.js';
import { showBeacon } from './beacon.js';

let status = null; // the last Status from the server
let sample = null; // the last Sample with the coach's view
let seen = null; // the last Sample of any kind (its score and faults)
let live = false; // the WebSocket is open
let lastHeard = 0; // server ms of the last message, for the stale card
const listeners = [];
const sampleListeners = [];
const chips = new Map(); // fault name → <li>

// How far the page counts on after the last sample: the server sends one at
// least every few seconds while someone is there.
const MAX_EXTRAPOLATE_MS = 5000;

// currentStatus is the last Status from the server (null before the hello).
export function currentStatus() { return status; }

// onStatus calls fn with every new Status; onSample with every coach sample.
export function onStatus(fn) { listeners.push(fn); }
export function onSample(fn) { sampleListeners.push(fn); }

export function setStatus(st) {
  if (!st) return;
  status = st;
  if (st.at) syncClock(st.at);
  lastHeard = serverNow();
  render();
  for (const fn of listeners) fn(st);
}

export function applySample(smp) {
  if (!smp) return;
  if (smp.at) syncClock(smp.at);
  lastHeard = serverNow();
  seen = smp;
  // a sample without the coach's view (a bare observation) shows its score only
  if (smp.state) sample = smp;
  for (const fn of sampleListeners) fn(smp);
  render();
}

// forgetSamples drops what the last connection's samples said (a new hello:
// the server may have restarted; its own last sample follows).
export function forgetSamples() { sample = null; seen = null; }

// setLive: whether the connection is up; the card goes stale at once when not.
export function setLive(on) {
  live = on;
  render();
}

// refreshStatus refetches GET /api/status (calls made meanwhile share it).
let refreshing = null;
export function refreshStatus() {
  if (!refreshing) {
    refreshing = get('/api/status')
      .then(setStatus)
      .catch(() => { /* the next status message brings it */ })
      .finally(() => { refreshing = null; });
  }
  return refreshing;
}

// buildFaultChips makes one chip per fault of the server's vocabulary.
export function buildFaultChips() {
  const ul = $('faults');
  ul.replaceChildren();
  chips.clear();
  for (const f of faultNames()) {
    const li = el('li', { class: 'chip', 'data-fault': f, 'data-level': 'none', text: faultTitle(f) });
    chips.set(f, li);
    ul.append(li);
  }
  render();
}

const ms = (iso) => { const t = Date.parse(iso); return isNaN(t) ? NaN : t; };

// sampleFresh: the last sample was taken since the status' state began
// (an older one describes a state the server has since left).
function sampleFresh() {
  if (!sample || !status || !sample.state) return false;
  if (status.state === 'paused' || status.state === 'calibrating') return false;
  return !(ms(sample.at) < ms(status.since));
}

// seenFresh: the last sample of any kind, if taken in the status' state.
function seenFresh() {
  if (!seen || !status || status.state === 'paused' || status.state === 'calibrating') return null;
  return ms(seen.at) < ms(status.since) ? null : seen;
}

// current is what the card shows, from the newest of status and sample.
export function current() {
  if (!status) return null;
  const now = serverNow();
  const fresh = sampleFresh();
  const src = fresh && !(ms(sample.at) < ms(status.at)) ? sample : status;
  const state = fresh ? sample.state : status.state;
  const fault = (fresh ? sample.fault : status.fault) || '';
  let watching = fresh ? (sample.watching || null) : (status.watching || null);
  if (state !== 'good') watching = null;
  const kind = !live ? 'stale' : watching ? 'watching' : state || 'starting';
  // count on from the source's instant: good time while good and nothing
  // is timed, present time while someone is judged
  let dt = live ? Math.min(Math.max(0, now - ms(src.at || status.at)), MAX_EXTRAPOLATE_MS) / 1000 : 0;
  if (isNaN(dt)) dt = 0;
  const good = kind === 'good', present = good || kind === 'watching' || kind === 'slouching';
  const v = {
    kind, state, fault, watching, now,
    good_s: (src.good_today_s || 0) + (good ? dt : 0),
    present_s: (src.present_today_s || 0) + (present ? dt : 0),
    streak_s: (state === 'good' ? (src.streak_s || 0) : 0) + (good ? dt : 0),
  };
  if (watching) {
    v.watch_s = Math.max(watching.for_s || 0, (now - ms(watching.since)) / 1000);
    // a fault awaiting the camera's view may run past its onset
    if (!watching.awaits_view) v.watch_s = Math.min(watching.onset_s, v.watch_s);
  }
  v.headline = headline(v);
  return v;
}

const STATE_TEXT = { good: 'Good posture', away: 'Away', paused: 'Paused', calibrating: 'Calibrating…', stale: 'Not connected' };

function headline(v) {
  if (v.kind === 'watching') {
    const w = v.watching;
    const lead = faultTitle(w.fault) + ' — ' + Math.floor(v.watch_s) + ' s, ';
    // judged by the defaults while the camera's view is learnt: it counts
    // only if that view agrees, so no time is promised
    if (w.awaits_view) return lead + 'checking against your camera';
    return lead + (w.nudge ? 'nudge' : 'counts') + ' at ' + Math.round(w.onset_s) + ' s';
  }
  if (v.kind === 'slouching') return v.fault ? 'Slouching: ' + faultLabel(v.fault) : 'Slouching';
  // a stretch break pauses the coach, not the camera (it counts the reps)
  // (a pause the user asked for has an end, a break has none)
  if (v.kind === 'paused' && status && status.routine_running && !status.paused_until) return 'Stretch break';
  return STATE_TEXT[v.kind] || (v.kind ? capitalize(v.kind) : 'Starting…');
}

function detailText(v) {
  const st = status;
  if (v.kind === 'stale') {
    return 'Last update at ' + fmtTime(lastHeard) + '. Nothing here is live until the connection is back.';
  }
  if (st.state === 'paused' && st.routine_running && !st.paused_until) {
    return 'No nudges while you stretch; the break counts in your day.';
  }
  if (st.state === 'paused') {
    if (st.paused_until) {
      const left = (ms(st.paused_until) - v.now) / 1000;
      return 'Until ' + fmtWhen(st.paused_until, v.now) + ' · ' + fmtClock(left) + ' left. The camera is off.';
    }
    return st.waiting ? 'While ' + st.waiting + '.' : 'The camera is off.';
  }
  if (v.kind === 'watching') {
    if (v.watching.awaits_view) return 'Still learning how this camera shows you sitting upright; this counts only if that view agrees.';
    return 'Watching, not yet counted.';
  }
  let d = '';
  if (v.state === st.state && st.since) {
    const forS = (v.now - ms(st.since)) / 1000;
    if (forS >= 1) d = 'For ' + fmtDur(forS);
  }
  if (st.quiet) d += (d ? ' · ' : '') + 'quiet hours';
  return d;
}

// render redraws the card from what the server last said; main.js also
// calls it every second so the timers move on.
export function render() {
  if (!status) { showBeacon({ kind: live ? 'starting' : 'stale', headline: live ? 'Starting…' : 'Not connected' }); return; }
  const st = status;
  const v = current();
  const s = $('state');
  if (s.textContent !== v.headline) s.textContent = v.headline;
  s.dataset.state = v.kind;
  $('now').dataset.stale = String(v.kind === 'stale');
  $('state-detail').textContent = detailText(v);

  const w = $('watch');
  w.hidden = !v.watching;
  if (v.watching) {
    $('watch-fill').style.width = Math.min(100, 100 * v.watch_s / Math.max(1, v.watching.onset_s)) + '%';
    $('watch-onset').textContent = Math.round(v.watching.onset_s) + ' s';
  }

  $('good-today').textContent = fmtDur(v.good_s);
  $('present-today').textContent = fmtDur(v.present_s);
  $('streak').textContent = v.state === 'good' && v.kind !== 'stale' ? fmtDur(v.streak_s) : '–';

  const cam = st.camera || {};
  const camEl = $('camera');
  camEl.dataset.ok = String(!!cam.ok || !!cam.released);
  if (cam.released) camEl.textContent = 'Camera released while paused.';
  else if (cam.ok) camEl.textContent = 'Camera: ' + (cam.source || 'on');
  else camEl.textContent = 'Camera problem: ' + (cam.error || 'no frames') + (cam.hint ? ' — ' + cam.hint : '');

  let msg = st.message || '';
  if (!msg && (st.baseline === 'defaults' || !st.baseline)) msg = 'No calibration profile: using the default thresholds.';
  if (st.recalibrate_suggested) msg = 'Your camera or seat seems to have changed: recalibrate for accurate alerts.';
  $('status-message').textContent = msg;

  const paused = st.state === 'paused';
  $('pause-btn').hidden = paused;
  $('resume-btn').hidden = !paused;

  renderScore(v);
  renderChips(v);
  showBeacon(v);
}

function renderScore(v) {
  const livestate = (x) => x === 'good' || x === 'slouching';
  let score = livestate(status.state) ? status.score : null;
  if (seenFresh()) score = seenFresh().score;
  if (v.kind === 'stale') score = null;
  const ring = $('score-ring');
  if (score === null || score === undefined) {
    $('score').textContent = '–';
    ring.style.setProperty('--p', '0');
    return;
  }
  $('score').textContent = String(Math.round(score));
  ring.style.setProperty('--p', String(Math.round(score)));
  ring.style.setProperty('--ring', score >= 75 ? cssVar('--good') : score >= 50 ? cssVar('--warn') : cssVar('--bad'));
}

// renderChips: a fault counted as slouching is "confirmed", one being timed
// "active", one seen on the latest sample "seen".
function renderChips(v) {
  const idle = v.kind === 'stale' || v.state === 'paused' || v.state === 'away' || v.state === 'calibrating';
  const confirmed = new Set(), active = new Set();
  for (const f of status.faults || []) {
    if (f.confirmed) confirmed.add(f.name); else if (f.active) active.add(f.name);
  }
  if (v.state === 'slouching' && v.fault) confirmed.add(v.fault);
  if (v.watching) active.add(v.watching.fault);
  const fresh = seenFresh();
  const seenNow = new Set(fresh ? (fresh.faults || []).filter((f) => f.severity >= 0.3).map((f) => f.name) : []);
  for (const [f, li] of chips) {
    let level = 'none';
    if (idle) level = 'none';
    else if (confirmed.has(f)) level = 'confirmed';
    else if (active.has(f)) level = 'active';
    else if (seenNow.has(f)) level = 'seen';
    li.dataset.level = level;
    li.title = { none: '', seen: 'seen now', active: 'being timed', confirmed: 'counted as slouching' }[level];
  }
}
