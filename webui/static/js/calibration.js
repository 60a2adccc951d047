// The calibration wizard: name the profile (the server checks the name),
// get ready, hold still while the server captures frames, then show the
// baseline it computed.
import { $, el } from './dom.js';
import { post } from './api.js';
import { profileNameRule } from './vocab.js';
import { currentStatus } from './state.js';
import { loadProfiles } from './profiles.js';

let timer = null;
let endCountdown = null; // ends the running countdown early (cancel)
let cancelled = false;
let checkTimer = null;

function step(s) {
  $('calibration').dataset.step = s;
  $('calib-intro').hidden = s !== 'intro';
  $('calib-run').hidden = s !== 'run';
  $('calib-done').hidden = s !== 'done';
}

function countdown(seconds, text, onTick) {
  return new Promise((resolve) => {
    endCountdown = resolve;
    let left = seconds;
    $('calib-phase').textContent = text;
    $('calib-countdown').textContent = String(left);
    timer = setInterval(() => {
      left -= 1;
      $('calib-countdown').textContent = String(Math.max(left, 0));
      if (onTick) onTick();
      if (left <= 0) { clearInterval(timer); timer = null; resolve(); }
    }, 1000);
  });
}

// checkName asks the server whether name is a valid profile name: the
// server's rule is the only one. It returns the reason it is not, or ''.
async function checkName(name) {
  try {
    await post('/api/profiles/check', { name });
    return '';
  } catch (err) { return err.message; }
}

async function start() {
  const name = $('calib-name').value.trim();
  clearTimeout(checkTimer);
  $('calib-error').textContent = '';
  const bad = await checkName(name);
  if (bad) { $('calib-error').textContent = bad; return; }
  cancelled = false;
  step('run');
  $('calib-frames').textContent = '';
  const prepareS = Number($('calibration').dataset.prepareS) || 3;
  const captureS = Number($('calibration').dataset.captureS) || 10;
  await countdown(prepareS, 'Get ready: sit tall and look at the screen.');
  if (cancelled) return;
  try {
    await post('/api/calibration/start');
  } catch (err) {
    $('calib-error').textContent = err.message;
    step('intro');
    return;
  }
  await countdown(captureS, 'Hold still in your good posture…', () => {
    const st = currentStatus();
    if (st && st.calibration_frames) $('calib-frames').textContent = st.calibration_frames + ' frames captured';
  });
  if (cancelled) return;
  try {
    const res = await post('/api/calibration/finish', { profile: name });
    showBaseline(res.baseline);
    step('done');
    loadProfiles();
  } catch (err) {
    $('calib-error').textContent = 'Calibration failed: ' + err.message + ' Try again with your head and shoulders in view.';
    step('intro');
  }
}

function showBaseline(b) {
  $('calib-summary').textContent = 'Profile "' + b.name + '" saved from ' + b.frames + ' frames and now in use.';
  const tb = $('calib-table').querySelector('tbody');
  tb.replaceChildren();
  for (const [k, v] of Object.entries(b.metrics || {}).sort()) {
    tb.append(el('tr', null, el('td', { text: k.replace(/_/g, ' ') }), el('td', { text: v.median.toFixed(3) }), el('td', { text: '± ' + v.mad.toFixed(3) })));
  }
}

// onCalibrationEvent shows why a calibration failed on the server's side.
export function onCalibrationEvent(e) {
  if (e.calibration === 'failed' && e.error) $('calib-error').textContent = e.error;
}

// applyNameRule sizes the name field by the server's rule (once the
// vocabulary is in).
export function applyNameRule() {
  const r = profileNameRule();
  if (!r) return;
  $('calib-name').maxLength = r.max_chars;
  $('calib-name').title = 'Profile name: ' + r.rule + '.';
}

export function initCalibration() {
  $('calib-start').addEventListener('click', start);
  // Tell as the user types whether the server takes the name.
  $('calib-name').addEventListener('input', () => {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(async () => {
      const name = $('calib-name').value.trim();
      const bad = await checkName(name);
      if (name === $('calib-name').value.trim()) $('calib-error').textContent = bad;
    }, 400);
  });
  $('calib-redo').addEventListener('click', () => step('intro'));
  $('calib-cancel').addEventListener('click', async () => {
    cancelled = true;
    if (timer) { clearInterval(timer); timer = null; }
    if (endCountdown) { endCountdown(); endCountdown = null; }
    try { await post('/api/calibration/cancel'); } catch (_) { /* none was running yet */ }
    step('intro');
    $('calib-name').focus();
  });
  step('intro');
}
