// The calibration card: name the profile (checked as it is typed against
// the server's rule from the vocabulary), get ready, hold still while the
// server captures frames (their count shows as they come), then say in
// words what the calibration learnt about the camera's place. The card
// names the profile in use. calibrate() is shared with the first-run guide.
import { $, el } from './dom.js';
import { post } from './api.js';
import { profileNameRule } from './vocab.js';
import { loadProfiles } from './profiles.js';
import { clock } from './clock.js';
import { setStatus } from './state.js';

const MIN_FRAMES = 8; // domain.MinCalibrationFrames: the progress bar's end

let running = null; // the calibration in progress: {ui, cancel}

function step(s) {
  $('calibration').dataset.step = s;
  $('calib-intro').hidden = s !== 'intro';
  $('calib-run').hidden = s !== 'run';
  $('calib-done').hidden = s !== 'done';
}

// nameProblem says why name is not a valid profile name, by the rule the
// server published, or '' when it is.
export function nameProblem(name) {
  const r = profileNameRule();
  if (!name) return 'Give the profile a name, e.g. "desk" or "laptop".';
  if (!r) return '';
  if ([...name].length > r.max_chars) return 'At most ' + r.max_chars + ' characters.';
  if (new TextEncoder().encode(name).length > r.max_bytes) return 'Too long for a file name: use fewer characters.';
  if (r.pattern) {
    let re;
    try { re = new RegExp(r.pattern, 'u'); } catch (_) { return ''; }
    if (!re.test(name)) {
      const bad = [...name].find((c) => !new RegExp(r.pattern, 'u').test('a' + c + 'a'));
      const what = /^\s|\s$/.test(name) || /\.$/.test(name) ? 'It must not start or end with a space or a dot.' :
        bad ? '"' + bad + '" is not allowed.' : 'Not a valid name.';
      return what + ' Use ' + r.rule + '.';
    }
  }
  return '';
}

// checkNameField shows the name's problem under the field at once.
function checkNameField() {
  const name = $('calib-name').value;
  const bad = nameProblem(name);
  $('calib-name').setAttribute('aria-invalid', String(!!bad));
  $('calib-name-hint').textContent = bad;
  $('calib-name-hint').classList.toggle('error', !!bad);
  $('calib-start').disabled = !!bad;
  return bad;
}

// calibrate runs one calibration for the profile name, telling ui (phase,
// countdown, frames) as it goes. It returns {promise, cancel}: the promise
// resolves to the server's answer ({baseline, setup, status}), or null when
// cancelled, and rejects with the server's error.
export function calibrate(name, ui) {
  const root = $('calibration');
  const prepareS = Number(root.dataset.prepareS) || 3;
  const captureS = Number(root.dataset.captureS) || 10;
  let timer = null, endWait = null, started = false, cancelled = false;
  const wait = (secs, text) => new Promise((resolve) => {
    let left = secs;
    ui.phase(text);
    ui.countdown(left);
    endWait = resolve;
    timer = clock.every(1000, () => {
      left -= 1;
      ui.countdown(Math.max(left, 0));
      if (left <= 0) { clock.cancel(timer); timer = null; endWait = null; resolve(); }
    });
  });
  const self = {
    ui,
    async cancel() {
      cancelled = true;
      if (timer !== null) { clock.cancel(timer); timer = null; }
      if (endWait) { endWait(); endWait = null; }
      if (started) { try { setStatus(await post('/api/calibration/cancel')); } catch (_) { /* it ended meanwhile */ } }
    },
  };
  const promise = (async () => {
    try {
      ui.frames(0);
      await wait(prepareS, 'Get ready: sit tall and look at the middle of the screen.');
      if (cancelled) return null;
      // the Now card shows the Status each answer carries, as for a pause
      setStatus(await post('/api/calibration/start'));
      started = true;
      if (cancelled) { await post('/api/calibration/cancel').then(setStatus, () => {}); return null; }
      await wait(captureS, 'Hold still in your good posture…');
      if (cancelled) return null;
      started = false;
      const res = await post('/api/calibration/finish', { profile: name });
      if (res) setStatus(res.status);
      return res;
    } finally {
      if (running === self) running = null;
    }
  })();
  running = self;
  self.promise = promise;
  return self;
}

// framesText: "12 frames captured (8 needed)".
export function framesText(n) {
  return n + (n === 1 ? ' frame' : ' frames') + ' captured' + (n < MIN_FRAMES ? ' (' + MIN_FRAMES + ' needed)' : '');
}

const cardUI = {
  phase: (t) => { $('calib-phase').textContent = t; },
  countdown: (n) => { $('calib-countdown').textContent = String(n); },
  frames: (n) => {
    $('calib-frames').textContent = n > 0 ? framesText(n) : '';
    $('calib-progress').value = Math.min(n, MIN_FRAMES);
  },
};

async function start() {
  const name = $('calib-name').value.trim();
  $('calib-name').value = name;
  $('calib-error').textContent = '';
  if (checkNameField()) { $('calib-name').focus(); return; }
  step('run');
  $('calib-progress').max = MIN_FRAMES;
  const c = calibrate(name, cardUI);
  $('calib-cancel').focus();
  let res;
  try {
    res = await c.promise;
  } catch (err) {
    $('calib-error').textContent = 'Calibration failed: ' + err.message + ' Try again with your head and shoulders in view.';
    step('intro');
    return;
  }
  if (!res) return; // cancelled
  showResult(res);
  step('done');
  $('calib-redo').focus();
  loadProfiles();
}

// setupWords: the sentence and the advice of a setup, for any panel.
export function setupWords(setup) {
  if (!setup) return { summary: '', advice: [], assumptions: '' };
  return { summary: setup.summary || '', advice: setup.advice || [], assumptions: setup.assumptions || '' };
}

function showResult(res) {
  const b = res.baseline;
  $('calib-summary').textContent = 'Profile "' + b.name + '" saved from ' + b.frames + ' frames and now in use.';
  const w = setupWords(res.setup);
  $('calib-words').textContent = w.summary;
  $('calib-advice').replaceChildren(...w.advice.map((a) => el('li', { text: a })));
  $('calib-assumption').textContent = w.assumptions;
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

// onCalibrationStatus names the profile in use and passes the frames
// captured so far to the running calibration.
export function onCalibrationStatus(st) {
  if (!st) return;
  $('calib-active').textContent = st.profile ? 'Profile in use: ' + st.profile :
    'No profile yet: judged by the default thresholds, or against how you sat best lately once the camera\'s view of you is learnt.';
  $('calib-active-setup').textContent = st.profile && st.setup ? st.setup.summary : '';
  if (running && st.state === 'calibrating') running.ui.frames(st.calibration_frames || 0);
}

// applyNameRule sizes the name field by the server's rule (once the
// vocabulary is in) and checks what it holds.
export function applyNameRule() {
  const r = profileNameRule();
  if (!r) return;
  $('calib-name').maxLength = r.max_chars;
  $('calib-name').title = 'Profile name: ' + r.rule + '.';
  checkNameField();
}

export function initCalibration() {
  $('calib-start').addEventListener('click', start);
  $('calib-name').addEventListener('input', checkNameField);
  $('calib-name').addEventListener('keydown', (e) => { if (e.key === 'Enter') start(); });
  $('calib-redo').addEventListener('click', () => { step('intro'); $('calib-name').focus(); });
  $('calib-cancel').addEventListener('click', async () => {
    const c = running;
    step('intro');
    $('calib-name').focus();
    if (c) await c.cancel();
  });
  step('intro');
}
