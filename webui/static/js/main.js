// posturewatch dashboard: ES modules, no dependencies, nothing loaded from
// the network but this server. This entry point wires the modules together:
// it loads the server's vocabulary, opens the WebSocket and hands each
// message to the module that shows it.
import { $ } from './dom.js';
import { refreshCSRF } from './api.js';
import { loadVocabulary, loaded } from './vocab.js';
import { initNotify } from './notify.js';
import { connect } from './socket.js';
import { setStatus, applySample, applyStats, buildFaultChips, render, onStatus } from './state.js';
import { handleEvent } from './events.js';
import { initPause } from './pause.js';
import { initPreview, drawPreview } from './preview.js';
import { initRoutine, onRoutineStatus, onReps } from './routine.js';
import { initCalibration, applyNameRule, onCalibrationStatus } from './calibration.js';
import { initFirstRun, onFirstRunStatus, onFirstRunSample, onFirstRunPreview, onFirstRunEvent } from './firstrun.js';
import { initSettings, loadConfig } from './settings.js';
import { loadProfiles } from './profiles.js';
import { initHistory, loadHistory, scheduleHistory, setHistoryEnabled, redraw } from './history.js';

const CONN_TEXT = { connecting: 'Connecting…', open: 'Live', closed: 'Disconnected: reconnecting…' };

// vocabulary loads the server's words and redraws what uses them; on
// failure the next hello tries again.
async function vocabulary() {
  if (loaded()) return;
  try { await loadVocabulary(); } catch (_) { return; }
  buildFaultChips();
  applyNameRule();
  redraw();
}

let hellos = 0;

function onMessage(m) {
  switch (m.type) {
    case 'hello': {
      const h = m.hello;
      if (hellos++ > 0) refreshCSRF(); // the page's own token is fresh the first time
      vocabulary();
      setStatus(h.status);
      if (h.last_sample) applySample(h.last_sample);
      setHistoryEnabled(h.history !== false);
      if (h.stats) applyStats(h.stats);
      loadConfig();
      loadProfiles();
      loadHistory();
      break;
    }
    case 'sample': applySample(m.sample); onFirstRunSample(m.sample); break;
    case 'status': setStatus(m.status); break;
    case 'stats': applyStats(m.stats); scheduleHistory(); break;
    case 'event': handleEvent(m.event); onFirstRunEvent(m.event); break;
    case 'preview': drawPreview(m.preview); onFirstRunPreview(m.preview); break;
    case 'reps': onReps(m.reps); break;
    default: break;
  }
}

function onConn(state) {
  $('conn').dataset.state = state;
  $('conn').textContent = CONN_TEXT[state];
}

async function main() {
  initNotify();
  initPause();
  initRoutine();
  initCalibration();
  initSettings();
  initHistory();
  onStatus(onRoutineStatus);
  onStatus(onCalibrationStatus);
  onStatus(onFirstRunStatus);
  $('about-btn').addEventListener('click', () => { $('about').scrollIntoView({ behavior: 'smooth' }); $('about').focus(); });
  await vocabulary();
  const socket = connect({ onMessage, onConn });
  initPreview(socket);
  initFirstRun(socket);
  setInterval(render, 5000);
  // Charts and the score ring take their colours from CSS: redraw when light/dark switches.
  if (window.matchMedia) {
    const mq = window.matchMedia('(prefers-color-scheme: dark)');
    if (mq.addEventListener) mq.addEventListener('change', () => { redraw(); render(); });
  }
}

main();
