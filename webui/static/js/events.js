// Coach events (see webui/doc.go) make toasts and notifications, and make
// the page refetch what they change: the state shown comes from the server,
// never from an event.
import { toast, browserNotify } from './notify.js';
import { faultLabel, faultTitle, nudgeText } from './vocab.js';
import { refreshStatus } from './state.js';
import { scheduleHistory } from './history.js';
import { offerSuggested } from './routine.js';
import { onCalibrationEvent } from './calibration.js';
import { nudgeActions } from './actions.js';

// Events after which the status differs, and those counted in the history.
const CHANGE_STATUS = new Set(['state', 'paused', 'resumed', 'calibration', 'recalibrate', 'suggestion', 'stretch']);
const CHANGE_HISTORY = new Set(['nudge', 'suggestion', 'break', 'sitting', 'stretch']);

export function handleEvent(e) {
  switch (e.type) {
    case 'nudge': {
      // the coach's message already carries the quick fix
      const body = e.message || e.fix || nudgeText(e.fault);
      const data = { faults: e.fault ? [e.fault] : [] };
      const acts = nudgeActions(data);
      toast(e.test ? 'Test nudge' : faultTitle(e.fault), body, 'nudge', acts);
      browserNotify(e.test ? 'Posture: test nudge' : 'Posture: ' + faultLabel(e.fault), body, acts, data);
      break;
    }
    case 'suggestion': {
      const r = e.routine;
      const data = { routine_id: r ? r.id : '', faults: Object.keys(e.faults || {}) };
      const acts = nudgeActions(data);
      toast('Time for a stretch break', (r && r.title ? r.title + '. ' : '') + (e.message || ''), 'suggestion', acts);
      browserNotify('Time for a stretch break', e.message || '', acts, data);
      offerSuggested(r);
      break;
    }
    case 'break':
      toast('Time to stand up', e.message || 'You have been sitting for a while.', 'break');
      browserNotify('Time to stand up', e.message || '');
      break;
    case 'recalibrate':
      toast('Recalibrate?', e.message || 'The camera or your seat seems to have changed.', 'info');
      break;
    case 'calibration':
      onCalibrationEvent(e);
      break;
    default:
      break;
  }
  if (CHANGE_STATUS.has(e.type)) refreshStatus();
  if (CHANGE_HISTORY.has(e.type)) scheduleHistory();
}
