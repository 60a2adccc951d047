// The first-run guide, for someone with no calibration profile yet: check
// the framing on the live preview (head and both shoulders in view, enough
// light), calibrate with live feedback, allow notifications, and try a
// test nudge. It opens by itself once (the server says first_run), can be
// skipped at any step and opened again from the Calibration tab.
import { $, el } from './dom.js';
import { post } from './api.js';
import { calibrate, framesText, nameProblem, setupWords } from './calibration.js';
import { loadProfiles } from './profiles.js';
import { framingRule } from './vocab.js';

const DONE_KEY = 'posturewatch.firstrun';
const STEPS = ['frame', 'calibrate', 'notify', 'test', 'done'];

let socket = null;
let stepNow = 'frame';
let previewOurs = false; // the guide turned the preview on (and turns it off)
let calib = null;
let testSent = 0;
let offered = false;
let returnTo = null; // focused when the guide opened: the focus goes back there

const dlg = () => $('firstrun');

function remember(v) { try { localStorage.setItem(DONE_KEY, v); } catch (_) { /* for this page only */ } }
function remembered() { try { return localStorage.getItem(DONE_KEY); } catch (_) { return null; } }

function show(step) {
  stepNow = step;
  dlg().dataset.step = step;
  for (const s of STEPS) $('fr-' + s).hidden = s !== step;
  for (const li of dlg().querySelectorAll('.fr-steps li')) {
    if (li.dataset.step === step) li.setAttribute('aria-current', 'step'); else li.removeAttribute('aria-current');
  }
  setPreview(step === 'frame' || step === 'calibrate');
  if (step === 'notify') renderPermission();
  const first = $('fr-' + step).querySelector('button.primary:not([disabled]), input, button:not([disabled])');
  if (first) first.focus();
}

function setPreview(on) {
  if (!socket) return;
  const cardOn = $('preview-btn') && $('preview-btn').getAttribute('aria-pressed') === 'true';
  if (on && !cardOn && !previewOurs) { previewOurs = true; socket.setPreview(true); }
  if (!on && previewOurs) { previewOurs = false; if (!cardOn) socket.setPreview(false); }
}

export function openFirstRun() {
  const d = dlg();
  if (d.open) return;
  returnTo = document.activeElement;
  if (typeof d.showModal === 'function') d.showModal(); else d.setAttribute('open', '');
  show('frame');
}

function close(how) {
  if (calib) { calib.cancel(); calib = null; }
  setPreview(false);
  remember(how);
  const d = dlg();
  if (d.open) { if (typeof d.close === 'function') d.close(); else d.removeAttribute('open'); }
  // Opened by itself on the live view, the guide came from no button (and
  // the calibration tab's may be hidden): the focus goes to the page then.
  let to = returnTo && returnTo !== document.body && document.contains(returnTo) && returnTo.getClientRects().length ? returnTo : null;
  if (!to) { to = $('main'); to.setAttribute('tabindex', '-1'); }
  returnTo = null;
  to.focus();
}

// ---- step 1: framing, from what each observation says ----

function check(id, ok, text) {
  const li = $(id);
  li.dataset.ok = String(ok);
  li.textContent = text;
}

// onFirstRunSample judges the framing on a live sample.
export function onFirstRunSample(s) {
  if (!dlg().open || stepNow !== 'frame' || !s) return;
  const someone = s.posture === 'good' || s.posture === 'bad';
  const visible = s.visible || [];
  const metrics = s.metrics || {};
  const shoulders = visible.includes('shoulders') || 'neck_eyes' in metrics || 'shoulder_face' in metrics;
  const fr = framingRule();
  // A bright light behind the user (the server's judgement, its words):
  // the posture is read from the picture brightened for the face, but a
  // light in front reads surer.
  const backlit = !s.picture && !!s.backlit && !!fr;
  if (s.picture === 'dark') check('fr-light', false, 'Too dark to see you: turn on a light facing you.');
  else if (s.picture === 'blank') check('fr-light', false, 'The picture is all one colour: is the lens covered?');
  else if (backlit) check('fr-light', 'warn', fr.backlit_advice);
  else check('fr-light', true, 'Enough light.');
  if (someone) check('fr-head', true, 'Your head is in view.');
  else if (s.posture === 'away') check('fr-head', false, 'Nobody in view: sit in front of the camera.');
  else check('fr-head', false, 'Your face does not show enough: ' + (s.why || 'face the camera') + '.');
  // Shoulders at the picture's bottom edge (the server's rule) are placed
  // from what little of them shows: a colour shift or sitting a little
  // nearer moves them, and they read as a head sunk forward. It will do,
  // but say how to do better.
  const low = shoulders && !!fr && metrics.shoulder_height > fr.shoulders_low;
  if (!someone || !shoulders) check('fr-shoulders', false, 'Both shoulders should be in view: sit back a little or tilt the camera down.');
  else if (low) check('fr-shoulders', 'warn', fr.low_advice);
  else check('fr-shoulders', true, 'Both shoulders are in view.');
  // People are counted on frames the face detector ran on (the first after
  // the preview starts, whenever the face was lost, and every frame while
  // several are in view); the count holds until the next such frame.
  if (s.people > 1) check('fr-people', false, s.people + ' people in view: only you should be, or the camera may watch someone else.');
  else if (s.people === 1) check('fr-people', true, 'Only you are in view.');
  const alone = $('fr-people').dataset.ok !== 'false';
  const ok = someone && shoulders && alone && !s.picture;
  $('fr-frame-next').disabled = !ok;
  $('fr-frame-verdict').textContent = !ok ? ''
    : low ? 'The framing will do; it is better with your shoulders clear of the bottom edge.'
    : backlit ? 'The framing will do; it is better with the light in front of you.'
    : 'The framing is good.';
}

// onFirstRunPreview draws the preview, mirrored like a selfie camera (CSS).
export function onFirstRunPreview(pv) {
  if (!dlg().open || !pv || !pv.jpeg) return;
  const img = new Image();
  img.onload = () => {
    const c = $('fr-preview');
    const w = pv.width || img.naturalWidth, h = pv.height || img.naturalHeight;
    if (c.width !== w || c.height !== h) { c.width = w; c.height = h; }
    c.getContext('2d').drawImage(img, 0, 0, w, h);
    c.dataset.frames = String((Number(c.dataset.frames) || 0) + 1);
  };
  img.src = 'data:image/jpeg;base64,' + pv.jpeg;
}

// ---- step 2: calibration ----

const ui = {
  phase: (t) => { $('fr-calib-phase').textContent = t; },
  countdown: (n) => { $('fr-calib-countdown').textContent = String(n); },
  frames: (n) => { $('fr-calib-frames').textContent = n > 0 ? framesText(n) : ''; },
};

async function startCalibration() {
  const name = $('fr-name').value.trim();
  const bad = nameProblem(name);
  $('fr-calib-error').textContent = bad;
  if (bad) { $('fr-name').focus(); return; }
  $('fr-calib-start').disabled = true;
  $('fr-calib-result').replaceChildren();
  calib = calibrate(name, ui);
  let res;
  try {
    res = await calib.promise;
  } catch (err) {
    $('fr-calib-error').textContent = 'Calibration failed: ' + err.message;
    $('fr-calib-start').disabled = false;
    calib = null;
    return;
  }
  calib = null;
  $('fr-calib-start').disabled = false;
  if (!res) return;
  ui.phase('Done.');
  $('fr-calib-countdown').textContent = '';
  const w = setupWords(res.setup);
  $('fr-calib-result').replaceChildren(el('p', { class: 'calib-words', text: 'Saved "' + res.baseline.name + '". ' + w.summary }),
    ...w.advice.map((a) => el('p', { class: 'muted', text: a })));
  $('fr-calib-next').disabled = false;
  $('fr-calib-next').focus();
  loadProfiles();
}

// ---- step 3: notifications ----

function renderPermission() {
  const b = $('fr-notify-allow');
  if (!('Notification' in window)) { b.disabled = true; $('fr-notify-state').textContent = 'This browser cannot show notifications: nudges show on this page.'; return; }
  const words = { granted: 'Allowed: nudges also show as notifications while this tab is in the background.',
    denied: 'Blocked in this browser: nudges show on this page only (change it in the site settings).',
    default: 'Not asked yet.' };
  $('fr-notify-state').textContent = words[Notification.permission] || '';
  b.disabled = Notification.permission !== 'default';
}

// ---- step 4: a test nudge ----

// onFirstRunEvent notes the test nudge's arrival, through the same path
// as a real one (the page shows its toast like any nudge).
export function onFirstRunEvent(e) {
  if (!e || e.type !== 'nudge' || !e.test || !testSent) return;
  $('fr-test-state').textContent = 'It arrived: this is how a nudge looks. ' +
    ('Notification' in window && Notification.permission === 'granted' ? 'A notification was shown too.' : '');
  $('fr-test-state').dataset.arrived = 'true';
  // with the tab hidden the nudge's own notification shows (notify.js);
  // the guide shows one only where that would not, on the visible page
  if ('Notification' in window && Notification.permission === 'granted' && !document.hidden) {
    try { new Notification('posturewatch: test nudge', { body: e.message || '', tag: 'posturewatch-test' }); } catch (_) { /* needs a service worker here */ }
  }
  $('fr-test-next').disabled = false;
}

// onFirstRunStatus opens the guide once for someone with no profile.
export function onFirstRunStatus(st) {
  if (offered || !st) return;
  offered = true;
  if (st.first_run && !remembered()) openFirstRun();
}

export function initFirstRun(sock) {
  socket = sock;
  $('firstrun-open').addEventListener('click', openFirstRun);
  for (const b of dlg().querySelectorAll('[data-fr-skip]')) b.addEventListener('click', () => close('skipped'));
  dlg().addEventListener('cancel', (e) => { e.preventDefault(); close('skipped'); });
  $('fr-frame-next').addEventListener('click', () => show('calibrate'));
  $('fr-frame-anyway').addEventListener('click', () => show('calibrate'));
  $('fr-name').addEventListener('input', () => { $('fr-calib-error').textContent = nameProblem($('fr-name').value); });
  $('fr-calib-start').addEventListener('click', startCalibration);
  $('fr-calib-next').addEventListener('click', () => show('notify'));
  $('fr-notify-allow').addEventListener('click', async () => {
    if ('Notification' in window) { try { await Notification.requestPermission(); } catch (_) { /* ignore */ } }
    renderPermission();
  });
  $('fr-notify-next').addEventListener('click', () => show('test'));
  $('fr-test-send').addEventListener('click', async () => {
    testSent += 1;
    $('fr-test-state').textContent = 'Sending…';
    try { await post('/api/nudge/test', {}); } catch (err) { $('fr-test-state').textContent = 'Could not send it: ' + err.message; }
  });
  $('fr-test-next').addEventListener('click', () => show('done'));
  $('fr-finish').addEventListener('click', () => close('done'));
}
