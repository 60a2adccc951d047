// What a nudge's toast and notification offer: snooze 15 minutes (a pause),
// "fixed it" (a dismissal: the toast goes, the coach judges the next frames
// as ever), and a stretch break now (a routine started through the API and
// shown in the stretch player).
import { $ } from './dom.js';
import { post } from './api.js';
import { toast, hideToast, onNotificationAction } from './notify.js';
import { setStatus } from './state.js';
import { playStarted } from './routine.js';

export async function snooze() {
  try {
    setStatus(await post('/api/pause', { minutes: 15 }));
  } catch (err) { toast('Could not snooze', err.message, 'error'); }
}

export function fixedIt() { hideToast(); }

// stretchNow starts the suggested routine (by id) or one for the faults,
// and opens it in the player.
export async function stretchNow(data) {
  const d = data || {};
  let res;
  try {
    res = await post('/api/routine/start', d.routine_id ? { id: d.routine_id } : { faults: d.faults || [] });
  } catch (err) {
    try {
      res = await post('/api/routine/start', { faults: d.faults || [] });
    } catch (err2) { toast('No stretch break available', err2.message, 'error'); return; }
  }
  if (!res || !res.routine) return;
  playStarted(res.routine);
  const player = $('stretch-player');
  if (player && player.scrollIntoView) player.scrollIntoView({ block: 'nearest' });
}

// nudgeActions: the buttons of a nudge or suggestion, with what they need.
export function nudgeActions(data) {
  return [
    { id: 'snooze', label: 'Snooze 15 min', run: snooze },
    { id: 'fixed', label: 'Fixed it', run: fixedIt },
    { id: 'stretch', label: 'Stretch now', run: () => stretchNow(data) },
  ];
}

export function initActions() {
  onNotificationAction('snooze', snooze);
  onNotificationAction('fixed', fixedIt);
  onNotificationAction('stretch', (data) => stretchNow(data));
  onNotificationAction('open', () => {});
}
