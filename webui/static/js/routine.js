// The stretch player: offers a routine (suggested by the server, or asked
// for), then plays it exercise by exercise with hold timers, sets, sides,
// rests and repetitions (counted by the camera for checkable exercises).
import { $, el } from './dom.js';
import { post } from './api.js';
import { fmtClock } from './format.js';
import { toast } from './notify.js';
import { scheduleHistory } from './history.js';

// dismissed: ids of routines closed or finished, so a status that still
// carries one does not offer it again (a new suggestion does).
const p = { phase: 'idle', routine: null, index: 0, block: 0, blocks: 1, remaining: 0, timer: null, reps: 0, running: false, resting: false, dismissed: new Set() };

const items = (r) => (r && r.items) || [];
const current = () => items(p.routine)[p.index];
const dose = () => (current() && current().exercise.dose) || {};
// holdFor: the length of one hold: a repetition's hold, else the whole stretch (30 s by default).
const holdFor = (d) => (d.reps ? (d.hold_seconds || 0) : (d.hold_seconds || 30));

export function doseText(d) {
  if (!d) return '';
  const parts = [];
  if (d.reps) parts.push(d.reps + ' reps');
  if (d.hold_seconds) parts.push('hold ' + d.hold_seconds + ' s');
  parts.push(d.sets === 1 ? '1 set' : (d.sets || 1) + ' sets');
  if (d.per_side) parts.push('each side');
  return parts.join(', ');
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

function dismiss() {
  if (p.routine && p.routine.id) p.dismissed.add(p.routine.id);
  p.routine = null;
  setPhase('idle');
}

// offer shows a routine with Begin / Not now (not while one is playing).
function offer(r) {
  if (p.phase === 'run') return;
  p.routine = r;
  $('routine-title').textContent = r.title || 'Stretch break';
  $('routine-reason').textContent = r.reason || '';
  const list = $('routine-list');
  list.replaceChildren();
  for (const it of items(r)) list.append(el('li', { text: it.exercise.name + ' — ' + doseText(it.exercise.dose) }));
  renderSafety(r);
  setPhase('offer');
}

// offerSuggested offers the routine of a suggestion, even one dismissed before.
export function offerSuggested(r) {
  if (!r) return;
  p.dismissed.delete(r.id);
  offer(r);
}

// offerFromStatus offers the routine a status carries, unless it was dismissed.
export function offerFromStatus(r) {
  if (r && p.phase === 'idle' && !p.dismissed.has(r.id)) offer(r);
}

function begin() {
  p.index = 0;
  renderSafety(p.routine);
  setPhase('run');
  showExercise();
}

function stopTimer() {
  clearInterval(p.timer);
  p.timer = null;
  p.running = false;
}

function showExercise() {
  stopTimer();
  const it = current();
  if (!it) { finish(); return; }
  const ex = it.exercise, d = ex.dose || {};
  $('exercise-index').textContent = 'Exercise ' + (p.index + 1) + ' of ' + items(p.routine).length;
  $('exercise-name').textContent = ex.name;
  $('exercise-why').textContent = it.why || ex.purpose || '';
  $('exercise-steps').replaceChildren(...(ex.steps || []).map((s) => el('li', { text: s })));
  $('exercise-dose').textContent = doseText(d);
  $('exercise-cautions').replaceChildren(...(ex.cautions || []).map((c) => el('li', { text: c })));
  p.blocks = Math.max(1, (d.sets || 1) * (d.per_side ? 2 : 1));
  p.block = 0;
  p.reps = 0;
  p.resting = false;
  const usesReps = (d.reps || 0) > 0;
  $('rep-row').hidden = !usesReps;
  $('rep-target').textContent = String(d.reps || 0);
  $('rep-count').textContent = '0';
  $('rep-source').textContent = ex.checkable ? 'counted by the camera' : '';
  $('rep-plus').hidden = !!ex.checkable;
  p.remaining = holdFor(d);
  $('stretch-timer').textContent = fmtClock(p.remaining);
  $('exercise-start').disabled = false;
  $('exercise-start').textContent = 'Start';
  renderBlock();
}

function renderBlock() {
  const d = dose();
  let txt = 'Set ' + (Math.floor(p.block / (d.per_side ? 2 : 1)) + 1) + ' of ' + (d.sets || 1);
  if (d.per_side) txt += p.block % 2 === 0 ? ' · left side' : ' · right side';
  if (p.resting) txt = 'Rest';
  $('stretch-block').textContent = txt;
}

function tick() {
  p.remaining -= 1;
  $('stretch-timer').textContent = fmtClock(p.remaining);
  if (p.remaining > 0) return;
  const it = current(), d = it.exercise.dose || {};
  if (p.resting) {
    p.resting = false;
    p.remaining = holdFor(d);
    $('stretch-timer').textContent = fmtClock(p.remaining);
    renderBlock();
    if (d.reps) stopTimer();
    return;
  }
  if (d.reps) {
    // a hold within a repetition finished
    stopTimer();
    if (!it.exercise.checkable) addRep();
    p.remaining = d.hold_seconds || 0;
    $('exercise-start').disabled = false;
    $('exercise-start').textContent = 'Hold';
    return;
  }
  nextBlock();
}

function nextBlock() {
  const d = dose();
  p.block += 1;
  p.reps = 0;
  $('rep-count').textContent = '0';
  if (p.block >= p.blocks) { stopTimer(); completeExercise(false); return; }
  if (d.rest_seconds) {
    p.resting = true;
    p.remaining = d.rest_seconds;
    if (!p.timer) { p.timer = setInterval(tick, 1000); p.running = true; }
  } else {
    p.remaining = holdFor(d);
    if (d.reps) stopTimer();
  }
  $('stretch-timer').textContent = fmtClock(p.remaining);
  renderBlock();
}

function addRep() {
  const d = dose();
  p.reps += 1;
  $('rep-count').textContent = String(p.reps);
  if (d.reps && p.reps >= d.reps) nextBlock();
}

// onReps shows the camera's count for the exercise being played.
export function onReps(r) {
  const it = current();
  if (p.phase !== 'run' || !it || it.exercise.id !== r.exercise_id) return;
  p.reps = r.count;
  $('rep-count').textContent = String(r.count);
  $('rep-source').textContent = 'counted by the camera' + (r.phase ? ' · ' + r.phase : '');
  if (typeof r.hold_s === 'number' && r.hold_s > 0) $('stretch-timer').textContent = fmtClock(r.hold_s);
  const d = it.exercise.dose || {};
  if (d.reps && r.count >= d.reps) nextBlock();
}

async function completeExercise(skipped) {
  const it = current();
  stopTimer();
  if (it) {
    try {
      await post('/api/routine/exercise-done', { routine_id: p.routine.id, exercise_id: it.exercise.id, skipped });
    } catch (err) { toast('Could not record the exercise', err.message, 'error'); }
  }
  p.index += 1;
  showExercise();
}

async function finish() {
  stopTimer();
  setPhase('finished');
  if (p.routine && p.routine.id) p.dismissed.add(p.routine.id);
  try {
    await post('/api/routine/exercise-done', { routine_id: p.routine.id, exercise_id: '' });
  } catch (err) { toast('Could not record the routine', err.message, 'error'); }
  scheduleHistory();
}

export function initRoutine() {
  $('routine-request').addEventListener('click', async () => {
    try {
      const res = await post('/api/routine/start', {});
      offer(res.routine);
      begin();
    } catch (err) { toast('No stretch break available', err.message, 'error'); }
  });
  $('routine-begin').addEventListener('click', async () => {
    const r = p.routine;
    if (!r) return;
    let res;
    try {
      res = await post('/api/routine/start', { id: r.id });
    } catch (_) {
      // The suggestion may have been replaced meanwhile: ask for a fresh
      // routine for the same faults.
      try {
        res = await post('/api/routine/start', { faults: r.faults || [] });
      } catch (err) {
        toast('Could not start the routine', err.message, 'error');
        return;
      }
    }
    if (res && res.routine) p.routine = res.routine;
    begin();
  });
  $('routine-dismiss').addEventListener('click', dismiss);
  $('exercise-start').addEventListener('click', () => {
    const d = dose();
    if (p.running) return;
    if (d.reps && !d.hold_seconds) { addRep(); return; }
    if (p.remaining <= 0) p.remaining = d.hold_seconds || 30;
    p.running = true;
    $('exercise-start').disabled = true;
    $('stretch-timer').textContent = fmtClock(p.remaining);
    p.timer = setInterval(tick, 1000);
  });
  $('rep-plus').addEventListener('click', () => { if (current()) addRep(); });
  $('exercise-done').addEventListener('click', () => completeExercise(false));
  $('exercise-skip').addEventListener('click', () => completeExercise(true));
  $('routine-stop').addEventListener('click', async () => {
    stopTimer();
    dismiss();
    // Tell the service too, so the camera stops counting repetitions.
    try { await post('/api/routine/stop', {}); } catch (err) { toast('Could not stop the routine', err.message, 'error'); }
  });
  $('routine-close').addEventListener('click', dismiss);
  setPhase('idle');
}
