// posturewatch dashboard: ES modules, no dependencies, nothing loaded from
// the network but this server. This entry point wires the modules together:
// it loads the server's vocabulary, opens the WebSocket and hands each
// message to the module that shows it.
import { $ } from './dom.js';
import { refreshCSRF } from './api.js';
import { loadVocabulary, loaded } from './vocab.js';
import { initNotify } from './notify.js';
import { initActions } from './actions.js';
import { connect } from './socket.js';
import { setStatus, applySample, buildFaultChips, render, onStatus, onSample, setLive, forgetSamples } from './state.js';
import { setClockRunning, syncClock } from './clock.js';
import { handleEvent } from './events.js';
import { initPause } from './pause.js';
import { initPreview, drawPreview } from './preview.js';
import { initRoutine, onRoutineStatus, onReps } from './routine.js';
import { initCalibration, applyNameRule, onCalibrationStatus } from './calibration.js';
import { initFirstRun, onFirstRunStatus, onFirstRunSample, onFirstRunPreview, onFirstRunEvent } from './firstrun.js';
import { onFramingSample, forgetFraming, renderFraming } from './framing.js';
import { initSettings, loadConfig } from './settings.js';
import { loadProfiles } from './profiles.js';
import { initHistory, loadHistory, scheduleHistory, setHistoryEnabled, redraw } from './history.js';
import { initTimeline, loadTimeline, onLiveMinute, redrawTimeline, setTimelineEnabled } from './timeline.js';
import { initTabs, showTab, onTab } from './tabs.js';

const CONN_TEXT = { connecting: 'Connecting…', open: 'Live', closed: 'Disconnected' };

// vocabulary loads the server's words and redraws what uses them; on
// failure the next hello tries again.
async function vocabulary() {
  if (loaded()) return;
  try { await loadVocabulary(); } catch (_) { return; }
  buildFaultChips();
  applyNameRule();
  renderFraming();
  redraw();
  redrawTimeline();
}

let hellos = 0;

function onMessage(m) {
  switch (m.type) {
    case 'hello': {
      const h = m.hello;
      if (hellos++ > 0) refreshCSRF(); // the page's own token is fresh the first time
      vocabulary();
      if (h.server_time) syncClock(h.server_time);
      forgetSamples();
      forgetFraming();
      setStatus(h.status);
      if (h.last_sample) applySample(h.last_sample);
      setHistoryEnabled(h.history !== false);
      setTimelineEnabled(h.history !== false);
      loadConfig();
      loadProfiles();
      loadHistory();
      loadTimeline();
      break;
    }
    case 'sample': applySample(m.sample); onFirstRunSample(m.sample); onFramingSample(m.sample); break;
    case 'status': setStatus(m.status); break;
    // the day's totals come with every sample and status (earlier runs
    // included); the stats only say the history has grown
    case 'stats': scheduleHistory(); break;
    case 'event': handleEvent(m.event); onFirstRunEvent(m.event); break;
    case 'preview': drawPreview(m.preview); onFirstRunPreview(m.preview); break;
    case 'reps': onReps(m.reps); break;
    default: break;
  }
}

// onConn shows the connection: when it drops, at once a banner with
// "Retry now", and the Now card goes stale (its clock stops).
function onConn(state) {
  $('conn').dataset.state = state;
  $('conn').textContent = CONN_TEXT[state];
  const up = state === 'open';
  setClockRunning(up);
  if (state === 'closed') $('offline').hidden = false;
  if (up) $('offline').hidden = true;
  $('offline-detail').textContent = state === 'connecting' ? 'Reconnecting…' : 'What you see is not live. Trying again every few seconds.';
  setLive(up);
}

async function main() {
  initNotify();
  initActions();
  initPause();
  initRoutine();
  initCalibration();
  initSettings();
  initHistory();
  initTimeline();
  initTabs();
  // opening Settings lists the cameras again: one may have been plugged in
  onTab((name) => { if (name === 'settings') loadConfig(); });
  onStatus(onRoutineStatus);
  onStatus(onCalibrationStatus);
  onStatus(onFirstRunStatus);
  onSample((smp) => onLiveMinute(smp.minute));
  $('about-btn').addEventListener('click', () => {
    showTab('about', false);
    $('panel-about').scrollIntoView({ block: 'nearest' });
    $('panel-about').focus();
  });
  setLive(false);
  await vocabulary();
  const socket = connect({ onMessage, onConn });
  $('retry-now').addEventListener('click', () => { $('offline-detail').textContent = 'Reconnecting…'; socket.retryNow(); });
  initPreview(socket);
  initFirstRun(socket);
  // the timers count on the server's clock; this only redraws them
  setInterval(render, 1000);
  // Charts and the score ring take their colours from CSS: redraw when light/dark switches.
  if (window.matchMedia) {
    const mq = window.matchMedia('(prefers-color-scheme: dark)');
    if (mq.addEventListener) mq.addEventListener('change', () => { redraw(); redrawTimeline(); render(); });
  }
}

main();
