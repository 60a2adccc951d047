// The stretch player: an overview of the routine (suggested by the server,
// or asked for), then each exercise with its figure and steps. Holds,
// repetitions and rests advance by themselves with a visible countdown
// (beeps optional); the count of repetitions is the camera's (for the
// exercises it can check) plus the user's own +1 / −1, or the timer's when
// the camera cannot count. Where the player is lives in localStorage under
// the routine's ID, so a reload resumes at the same exercise while the
// server still runs the routine.
import { $, el } from './dom.js';
import { post } from './api.js';
import { fmtClock, fmtAbout, plural } from './format.js';
import { toast, toastShown, hideToast } from './notify.js';
import { scheduleHistory } from './history.js';
import { clock } from './clock.js';
import { beep, beepsOn, setBeeps } from './beep.js';

const READY_MS = 10000; // "get ready" before each exercise
const MOVE_MS = 3000; // the movement of one repetition, as the server estimates a dose
const SWITCH_MS = 3000; // the least pause between sets and sides
const STORE = 'posturewatch.player.'; // + routine ID

// p is the player. step: 'ready' | 'hold' | 'reps' | 'rest'; within reps,
// sub 'move' | 'hold' paces one repetition. own is the user's (or the
// timer's) part of the count, camStart the camera's count when the set
// began. dismissed: routines closed, never offered again from a status.
const p = {
  phase: 'idle', routine: null, index: 0, block: 0, step: 'ready', sub: 'move',
  remaining: 0, endsAt: 0, ticker: null, running: false,
  own: 0, cam: 0, camStart: 0, paced: false, camSeen: false, serverSeen: false,
  dismissed: new Set(), lastSecond: -1,
};

const items = (r) => (r && r.items) || [];
const current = () => items(p.routine)[p.index];
const exercise = () => (current() ? current().exercise : null);
const dose = () => (exercise() && exercise().dose) || {};
const blocksOf = (d) => Math.max(1, (d.sets || 1) * (d.per_side ? 2 : 1));
const holdMs = (d) => (d.hold_seconds || 30) * 1000;
const usesReps = (d) => (d.reps || 0) > 0;
const cameraCounts = () => !!(exercise() && exercise().checkable) && !p.paced;

export function doseText(d) {
  if (!d) return '';
  const parts = [];
  if (d.reps) parts.push(d.reps + ' reps');
  if (d.hold_seconds) parts.push('hold ' + d.hold_seconds + ' s');
  parts.push(d.sets === 1 ? '1 set' : (d.sets || 1) + ' sets');
  if (d.per_side) parts.push('each side');
  return parts.join(', ');
}

export function figureURL(id) { return '/static/figures/' + encodeURIComponent(id) + '.svg'; }

const EQUIPMENT_WORDS = { wall: 'a free wall', doorway: 'a doorway', foam_roller: 'a foam roller', band: 'a resistance band', weights: 'light weights' };

// needs: what the routine asks for beyond a chair, and where it is done.
function needs(r) {
  const gear = [];
  let standing = false, floor = false;
  for (const it of items(r)) {
    const ex = it.exercise;
    const eq = (ex.equipment || []).filter((q) => q !== 'none' && q !== 'chair');
    if (eq.length) {
      const w = eq.map((q) => EQUIPMENT_WORDS[q] || q.replace(/_/g, ' ')).join(' or ');
      if (!gear.includes(w)) gear.push(w);
    }
    if (ex.floor) floor = true;
    else if (!ex.seated) standing = true;
  }
  const where = floor ? 'some on the floor' : standing ? 'seated and standing' : 'all seated at your desk';
  return { gear, where };
}

function setPhase(ph) {
  p.phase = ph;
  $('stretch-player').dataset.phase = ph;
  $('stretch-idle').hidden = ph !== 'idle';
  $('stretch-offer').hidden = ph !== 'offer';
  $('stretch-run').hidden = ph !== 'run';
  $('stretch-finished').hidden = ph !== 'finished';
  $('safety').hidden = ph === 'idle';
}

function renderSafety(r) {
  const box = $('safety');
  box.replaceChildren(el('strong', { text: 'Safety' }));
  const ul = el('ul');
  for (const s of r.safety || []) ul.append(el('li', { text: s }));
  box.append(ul);
}

// ---- saving and resuming ----

function save() {
  if (p.phase !== 'run' || !p.routine) return;
  const s = { index: p.index, block: p.block, step: p.step, sub: p.sub, remaining: Math.max(0, remainingMs()),
    own: p.own, camStart: p.camStart, cam: p.cam, paced: p.paced, savedAt: clock.now() };
  try { localStorage.setItem(STORE + p.routine.id, JSON.stringify(s)); } catch (_) { /* storage full or off: no resume */ }
}

function loadSaved(id) {
  try {
    const s = JSON.parse(localStorage.getItem(STORE + id) || 'null');
    return s && typeof s.index === 'number' ? s : null;
  } catch (_) { return null; }
}

// forget drops every saved player (only one routine runs at a time).
function forget() {
  try {
    for (let i = localStorage.length - 1; i >= 0; i--) {
      const k = localStorage.key(i);
      if (k && k.startsWith(STORE)) localStorage.removeItem(k);
    }
  } catch (_) { /* nothing saved */ }
}

// ---- the overview ----

function offer(r) {
  if (p.phase === 'run') return;
  p.routine = r;
  $('routine-title').textContent = r.title || 'Stretch break';
  $('routine-reason').textContent = r.reason || '';
  const n = needs(r);
  $('routine-summary').textContent = plural(items(r).length, 'exercise') + ' · about ' + fmtAbout(r.duration_s || 0) +
    ' · ' + n.where + ' · ' + (n.gear.length ? 'you need ' + n.gear.join(', ') : 'no equipment');
  const list = $('routine-list');
  list.replaceChildren();
  for (const it of items(r)) {
    const ex = it.exercise;
    list.append(el('li', { 'data-exercise': ex.id },
      el('img', { src: figureURL(ex.id), alt: '', class: 'fig-thumb', width: '96', height: '48' }),
      el('span', { class: 'ov-name', text: ex.name }),
      el('span', { class: 'muted ov-dose', text: doseText(ex.dose) + ' · ' + fmtAbout(it.duration_s || 0) })));
  }
  renderSafety(r);
  setPhase('offer');
}

function dismiss() {
  if (p.routine && p.routine.id) p.dismissed.add(p.routine.id);
  stopTicker();
  forget();
  p.routine = null;
  p.serverSeen = false;
  setPhase('idle');
}

// offerSuggested offers the routine of a suggestion, even one dismissed before.
export function offerSuggested(r) {
  if (!r) return;
  p.dismissed.delete(r.id);
  offer(r);
}

// playStarted plays a routine the server has just started (from a toast's
// or a notification's "Stretch now"): no overview to confirm and no second
// start; the one already playing goes on.
export function playStarted(r) {
  if (!r) return;
  p.dismissed.delete(r.id);
  if (p.phase === 'run' && p.routine && p.routine.id === r.id) return;
  p.routine = r;
  begin(); // the server's next status marks it seen there
}

// onRoutineStatus follows the server: a routine it runs is resumed here
// (after a reload, or from another tab), one it no longer runs ends here,
// and a suggestion is offered unless it was dismissed.
export function onRoutineStatus(st) {
  const r = st && st.routine;
  if (r && st.routine_running) {
    if (p.phase === 'run' && p.routine && p.routine.id === r.id) { p.serverSeen = true; return; }
    if (p.dismissed.has(r.id)) return;
    resume(r, st.routine_exercise || 0);
    return;
  }
  if (p.phase === 'run' && p.serverSeen) {
    // stopped elsewhere, or it ran out on the server
    stopTicker();
    forget();
    p.routine = null;
    p.serverSeen = false;
    setPhase('idle');
    toast('Stretch break ended', 'The routine is no longer running.', 'info');
    return;
  }
  if (!r) {
    if (p.phase !== 'run') forget();
    return;
  }
  if (p.phase === 'idle' && !p.dismissed.has(r.id)) offer(r);
}

// resume takes up a routine the server runs, where this browser left it,
// or at the server's exercise when it knows better.
function resume(r, serverIndex) {
  p.routine = r;
  p.serverSeen = true;
  renderSafety(r);
  setPhase('run');
  const s = loadSaved(r.id);
  if (s && s.index === serverIndex && s.index < items(r).length) {
    p.index = s.index;
    showExercise(false);
    p.block = Math.min(s.block || 0, blocksOf(dose()) - 1);
    p.step = s.step || 'ready';
    p.sub = s.sub || 'move';
    p.own = s.own || 0;
    p.camStart = s.camStart || 0;
    p.cam = s.cam || 0;
    p.paced = !!s.paced;
    p.remaining = s.remaining > 0 ? s.remaining : stepLength();
    p.running = false;
    render();
    say('Resumed where you were: press Resume to go on.');
  } else {
    p.index = Math.min(serverIndex, items(r).length);
    showExercise();
  }
}

// ---- playing ----

function begin() {
  // the toast of the suggestion or nudge that asked for a break (with its
  // own "Stretch now") is answered once the break begins, however it began
  const shown = toastShown();
  if (shown && (shown.kind === 'suggestion' || shown.kind === 'nudge')) hideToast();
  p.index = 0;
  p.serverSeen = false;
  forget();
  renderSafety(p.routine);
  setPhase('run');
  showExercise();
}

function say(text) { $('stretch-note').textContent = text || ''; }

function stopTicker() {
  if (p.ticker !== null) clock.cancel(p.ticker);
  p.ticker = null;
}

function remainingMs() { return p.running ? p.endsAt - clock.now() : p.remaining; }

// stepLength: how long the current step (or repetition part) lasts.
function stepLength() {
  const d = dose();
  switch (p.step) {
    case 'ready': return READY_MS;
    case 'hold': return holdMs(d);
    case 'rest': return Math.max((d.rest_seconds || 0) * 1000, SWITCH_MS);
    case 'reps': return p.sub === 'move' ? MOVE_MS : (d.hold_seconds || 0) * 1000;
    default: return 0;
  }
}

function run() {
  p.endsAt = clock.now() + p.remaining;
  p.running = true;
  p.lastSecond = -1;
  stopTicker();
  p.ticker = clock.every(200, tick);
  render();
}

function pause() {
  p.remaining = remainingMs();
  p.running = false;
  stopTicker();
  render();
  save();
}

function enter(step, sub) {
  p.step = step;
  p.sub = sub || 'move';
  p.remaining = stepLength();
  run();
  save();
}

function tick() {
  const left = remainingMs();
  const secs = Math.ceil(left / 1000);
  if (secs !== p.lastSecond) {
    p.lastSecond = secs;
    if (secs >= 1 && secs <= 3 && p.step !== 'reps') beep(false);
    renderTimer();
    save();
  }
  if (left > 0) return;
  if (p.step !== 'reps') beep(true);
  advance();
}

// advance moves on when the running countdown reaches zero.
function advance() {
  const d = dose();
  switch (p.step) {
    case 'ready':
      startBlock();
      return;
    case 'hold':
      endBlock();
      return;
    case 'rest':
      startBlock();
      return;
    case 'reps':
      if (p.sub === 'move' && (d.hold_seconds || 0) > 0) { enter('reps', 'hold'); return; }
      // one repetition's pace is over: the timer counts it unless the camera does
      if (!cameraCounts()) p.own += 1;
      if (count() >= (d.reps || 0)) { endBlock(); return; }
      enter('reps', 'move');
      return;
    default:
  }
}

function startBlock() {
  const d = dose();
  p.own = 0;
  p.camStart = p.cam;
  if (usesReps(d)) enter('reps', 'move');
  else enter('hold');
}

function endBlock() {
  p.block += 1;
  if (p.block >= blocksOf(dose())) {
    completeExercise(false);
    return;
  }
  enter('rest');
}

// count is the repetitions of this set: the camera's since the set began
// plus the user's own (or the timer's).
function count() {
  const cam = exercise() && exercise().checkable && !p.paced ? Math.max(0, p.cam - p.camStart) : 0;
  return Math.max(0, cam + p.own);
}

function adjust(n) {
  const d = dose();
  if (!usesReps(d) || p.phase !== 'run') return;
  if (n < 0 && count() === 0) return;
  p.own += n;
  renderReps();
  save();
  if (n > 0 && (p.step === 'reps' || p.step === 'ready') && count() >= d.reps) endBlock();
}

// showExercise shows the current exercise and, unless told not to, starts
// its "get ready" countdown.
function showExercise(autostart = true) {
  stopTicker();
  p.running = false;
  const it = current();
  if (!it) { finish(); return; }
  const ex = it.exercise, d = ex.dose || {};
  $('exercise-index').textContent = 'Exercise ' + (p.index + 1) + ' of ' + items(p.routine).length;
  let left = 0;
  for (const x of items(p.routine).slice(p.index)) left += x.duration_s || 0;
  $('routine-left').textContent = 'about ' + fmtAbout(left) + ' left';
  $('exercise-name').textContent = ex.name;
  $('exercise-figure').src = figureURL(ex.id);
  $('exercise-figure').alt = ex.name + ': start and end position';
  $('exercise-why').textContent = it.why || ex.purpose || '';
  $('exercise-steps').replaceChildren(...(ex.steps || []).map((s) => el('li', { text: s })));
  $('exercise-dose').textContent = doseText(d);
  $('exercise-cautions').replaceChildren(...(ex.cautions || []).map((c) => el('li', { text: c })));
  p.block = 0;
  p.own = 0;
  p.cam = 0;
  p.camStart = 0;
  p.paced = false;
  p.camSeen = false;
  p.step = 'ready';
  p.remaining = READY_MS;
  say('');
  $('rep-row').hidden = !usesReps(d);
  $('rep-target').textContent = String(d.reps || 0);
  if (autostart) { run(); save(); } else render();
}

const STEP_WORDS = { ready: 'Get ready', hold: 'Hold', rest: 'Rest' };

function render() {
  renderTimer();
  renderReps();
  const d = dose();
  let txt = 'Set ' + (Math.floor(p.block / (d.per_side ? 2 : 1)) + 1) + ' of ' + (d.sets || 1);
  if (d.per_side) txt += p.block % 2 === 0 ? ' · left side' : ' · right side';
  $('stretch-block').textContent = txt;
  const start = $('exercise-start');
  start.textContent = p.step === 'ready' && p.running ? 'Start now' : p.running ? 'Pause' : 'Resume';
  $('stretch-run').dataset.step = p.step;
  $('stretch-run').dataset.running = String(p.running);
}

function renderTimer() {
  const d = dose();
  let word = STEP_WORDS[p.step] || '';
  if (p.step === 'reps') word = p.sub === 'hold' ? 'Hold' : (count() === 0 ? 'Move' : 'Next rep');
  if (p.step === 'rest' && d.per_side && p.block % 2 === 1) word = 'Switch sides';
  if (p.step === 'ready' && p.block === 0) word = 'Get ready';
  $('stretch-step').textContent = word;
  $('stretch-timer').textContent = fmtClock(Math.max(0, remainingMs()) / 1000);
}

function renderReps() {
  const ex = exercise();
  if (!ex || !usesReps(ex.dose || {})) return;
  $('rep-count').textContent = String(count());
  let src;
  if (ex.checkable && !p.paced) {
    const cam = Math.max(0, p.cam - p.camStart);
    src = 'camera counted ' + cam + (p.own ? ' · yours ' + (p.own > 0 ? '+' : '−') + Math.abs(p.own) : '');
  } else {
    src = 'counted by the timer' + (ex.checkable ? '' : ' (the camera cannot check this one)');
  }
  $('rep-source').textContent = src;
  // the camera has counted nothing after a few repetitions' time: offer the timer
  $('rep-pace').hidden = !(ex.checkable && !p.paced && !p.camSeen);
}

// onReps shows the camera's count for the exercise being played.
export function onReps(r) {
  const ex = exercise();
  if (p.phase !== 'run' || !ex || ex.id !== r.exercise_id) return;
  if (r.count < p.cam) p.camStart = Math.min(p.camStart, r.count); // the server's counter restarted
  p.cam = r.count;
  if (r.count > 0) p.camSeen = true;
  renderReps();
  save();
  const d = ex.dose || {};
  if (cameraCounts() && p.step === 'reps' && d.reps && count() >= d.reps) endBlock();
}

async function completeExercise(skipped) {
  const it = current();
  stopTicker();
  p.running = false;
  if (it) {
    try {
      await post('/api/routine/exercise-done', { routine_id: p.routine.id, exercise_id: it.exercise.id, skipped });
    } catch (err) { toast('Could not record the exercise', err.message, 'error'); }
  }
  if (p.phase !== 'run') return; // stopped meanwhile
  p.index += 1;
  showExercise();
}

async function finish() {
  stopTicker();
  const r = p.routine;
  setPhase('finished');
  forget();
  $('routine-finished-detail').textContent = r ? r.title + ': ' + plural(items(r).length, 'exercise') + '.' : '';
  if (r && r.id) p.dismissed.add(r.id);
  p.serverSeen = false;
  try {
    await post('/api/routine/exercise-done', { routine_id: r ? r.id : '', exercise_id: '' });
  } catch (err) { toast('Could not record the routine', err.message, 'error'); }
  scheduleHistory();
  $('routine-close').focus();
}

// stopService tells the service the player closed: the break and the
// camera's counting end with it.
async function stopService() {
  try { await post('/api/routine/stop', {}); } catch (err) { toast('Could not stop the routine', err.message, 'error'); }
}

async function startRoutine(body) {
  const res = await post('/api/routine/start', body);
  return res && res.routine;
}

export function initRoutine() {
  $('routine-request').addEventListener('click', async () => {
    try {
      const r = await startRoutine({});
      p.dismissed.delete(r.id);
      offer(r);
      begin();
    } catch (err) { toast('No stretch break available', err.message, 'error'); }
  });
  $('routine-begin').addEventListener('click', async () => {
    const r = p.routine;
    if (!r) return;
    let got;
    try {
      got = await startRoutine({ id: r.id });
    } catch (_) {
      // The suggestion may have been replaced meanwhile: ask for a fresh
      // routine for the same faults.
      try {
        got = await startRoutine({ faults: r.faults || [] });
      } catch (err) {
        toast('Could not start the routine', err.message, 'error');
        return;
      }
    }
    if (got) p.routine = got;
    begin();
  });
  $('routine-dismiss').addEventListener('click', dismiss);
  $('exercise-start').addEventListener('click', () => {
    if (p.phase !== 'run') return;
    if (p.step === 'ready' && p.running) { stopTicker(); startBlock(); return; }
    if (p.running) { pause(); say('Paused.'); } else { say(''); run(); }
  });
  $('rep-plus').addEventListener('click', () => adjust(1));
  $('rep-minus').addEventListener('click', () => adjust(-1));
  $('rep-pace').addEventListener('click', () => {
    // the camera does not see the movement: let the timer count instead
    p.paced = true;
    p.own = count();
    renderReps();
    save();
  });
  $('exercise-done').addEventListener('click', () => completeExercise(false));
  $('exercise-skip').addEventListener('click', () => completeExercise(true));

  const dlg = $('stop-dialog');
  $('routine-stop').addEventListener('click', () => {
    if (typeof dlg.showModal === 'function') dlg.showModal();
    else if (window.confirm('Stop the stretch break?')) stopConfirmed();
  });
  $('stop-cancel').addEventListener('click', () => { dlg.close(); $('routine-stop').focus(); });
  dlg.addEventListener('cancel', () => setTimeout(() => $('routine-stop').focus(), 0));
  $('stop-confirm').addEventListener('click', () => { dlg.close(); stopConfirmed(); });

  $('routine-close').addEventListener('click', async () => {
    dismiss();
    await stopService();
    $('routine-request').focus();
  });

  const b = $('beeps');
  b.checked = beepsOn();
  b.addEventListener('change', () => setBeeps(b.checked));
  setPhase('idle');
}

async function stopConfirmed() {
  dismiss();
  await stopService();
  $('routine-request').focus();
}
