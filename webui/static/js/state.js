// The live-state view: the "Now" card shows what the server pushes (the
// Status of hello and status messages and of API answers, the coach fields
// of sample messages, today's totals of stats messages). It never guesses
// a state from events: an event only makes the page refetch the status.
import { $, el, cssVar } from './dom.js';
import { get } from './api.js';
import { fmtDur, fmtTime, capitalize } from './format.js';
import { faultNames, faultLabel, faultTitle } from './vocab.js';

let status = null; // the last Status from the server
let sample = null; // the last Sample
let figures = { good_s: 0, present_s: 0, streak_s: 0 }; // the latest of status, sample and stats
const listeners = [];
const chips = new Map(); // fault name → <li>

// currentStatus is the last Status from the server (null before the hello).
export function currentStatus() { return status; }

// onStatus calls fn with every new Status.
export function onStatus(fn) { listeners.push(fn); }

export function setStatus(st) {
  if (!st) return;
  status = st;
  figures = { good_s: st.good_today_s, present_s: st.present_today_s, streak_s: st.streak_s };
  render();
  for (const fn of listeners) fn(st);
}

export function applySample(smp) {
  if (!smp) return;
  sample = smp;
  if (sampleFresh() && smp.state) {
    if (smp.state === 'good' && typeof smp.streak_s === 'number') figures.streak_s = smp.streak_s;
    if (typeof smp.good_today_s === 'number' && smp.good_today_s > 0) figures.good_s = smp.good_today_s;
  }
  render();
}

export function applyStats(st) {
  const days = (st && st.days) || [];
  const today = days.length ? days[days.length - 1] : null;
  if (!today) return;
  figures.good_s = today.good_s;
  figures.present_s = today.present_s;
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
    const li = el('li', { 'data-fault': f, 'data-level': 'none', text: faultTitle(f) });
    chips.set(f, li);
    ul.append(li);
  }
  render();
}

// render redraws the card from what the server last said; main.js also
// calls it every few seconds so "For 3 min" moves on.
export function render() {
  if (!status) return;
  const st = status;
  const now = coachState();
  const s = $('state');
  s.textContent = stateText(now.state, now.fault);
  s.dataset.state = now.state || 'unknown';

  let detail = '';
  if (st.state === 'paused' && st.paused_until) detail = 'Until ' + fmtTime(st.paused_until) + '. The camera is off.';
  else if (now.state === st.state) {
    const since = st.since ? Date.parse(st.since) : NaN;
    const forS = !isNaN(since) && since > 0 ? (Date.now() - since) / 1000 : st.for_s;
    if (forS > 0) detail = 'For ' + fmtDur(forS);
  }
  if (st.quiet) detail += (detail ? ' · ' : '') + 'quiet hours';
  $('state-detail').textContent = detail;

  $('good-today').textContent = fmtDur(figures.good_s);
  $('present-today').textContent = fmtDur(figures.present_s);
  $('streak').textContent = now.state === 'good' ? fmtDur(figures.streak_s) : '–';

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

  renderScore();
  renderChips(now.state);
}

// sampleFresh: the last sample was taken since the status' state began
// (an older one describes a state the server has since left).
function sampleFresh() {
  if (!sample || !status) return false;
  if (status.state === 'paused' || status.state === 'calibrating') return false;
  return !(Date.parse(sample.at) < Date.parse(status.since));
}

// coachState: the state and fault to show; a fresh sample carries the
// coach's state at that instant, newer than the last status.
function coachState() {
  if (sampleFresh() && sample.state) return { state: sample.state, fault: sample.fault || '' };
  return { state: status.state, fault: status.fault || '' };
}

const STATE_TEXT = { good: 'Good posture', away: 'Away', paused: 'Paused', calibrating: 'Calibrating…' };

function stateText(state, fault) {
  if (state === 'slouching') return fault ? 'Slouching: ' + faultLabel(fault) : 'Slouching';
  return STATE_TEXT[state] || (state ? capitalize(state) : 'Starting…');
}

function renderScore() {
  const live = (st) => st === 'good' || st === 'slouching';
  let score = live(status.state) ? status.score : null;
  if (sampleFresh()) score = sample.score;
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

// renderChips lights a fault confirmed or active by the coach (status),
// or seen on the latest sample.
function renderChips(state) {
  const idle = state === 'paused' || state === 'away' || state === 'calibrating';
  const confirmed = new Set(), active = new Set();
  for (const f of status.faults || []) {
    if (f.confirmed) confirmed.add(f.name); else if (f.active) active.add(f.name);
  }
  const seen = new Set(sampleFresh() ? (sample.faults || []).filter((f) => f.severity >= 0.3).map((f) => f.name) : []);
  for (const [f, li] of chips) {
    let level = 'none';
    if (idle) level = 'none';
    else if (confirmed.has(f)) level = 'confirmed';
    else if (active.has(f)) level = 'active';
    else if (seen.has(f)) level = 'seen';
    li.dataset.level = level;
  }
}
