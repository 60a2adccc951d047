// posturewatch dashboard: vanilla JS, no dependencies, nothing loaded from
// the network but this server. Talks to the REST API (with the CSRF token
// from the page) and listens to /ws (message types: hello, sample, event,
// status, stats, preview, reps — see webui/doc.go).
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  // The CSRF token is random per server start: it comes with the page and is
  // fetched again after every reconnect (the server may have restarted).
  let csrf = document.querySelector('meta[name="csrf-token"]').content;

  const FAULTS = ['forward_head', 'rounded_shoulders', 'slouch', 'too_close', 'head_down',
    'head_tilt', 'head_turn', 'head_back', 'shoulders_raised', 'uneven_shoulders'];
  const FAULT_LABEL = {
    forward_head: 'Forward head', rounded_shoulders: 'Rounded shoulders', slouch: 'Slouch',
    too_close: 'Too close', head_down: 'Head down', head_tilt: 'Head tilt', head_turn: 'Head turned',
    head_back: 'Chin up', shoulders_raised: 'Shoulders raised', uneven_shoulders: 'Uneven shoulders',
  };
  const label = (f) => FAULT_LABEL[f] || String(f || '').replace(/_/g, ' ');

  // ---------- helpers ----------
  function fmtDur(s) {
    s = Math.max(0, Math.round(s || 0));
    if (s < 60) return s + ' s';
    const m = Math.round(s / 60);
    if (m < 60) return m + ' min';
    const h = Math.floor(m / 60), r = m % 60;
    return r ? h + ' h ' + r + ' min' : h + ' h';
  }
  function fmtClock(s) {
    s = Math.max(0, Math.ceil(s));
    return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
  }
  function fmtTime(iso) {
    const d = new Date(iso);
    if (isNaN(d)) return '';
    return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }
  function el(tag, props, ...kids) {
    const e = document.createElement(tag);
    if (props) for (const [k, v] of Object.entries(props)) {
      if (k === 'text') e.textContent = v;
      else if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const k of kids) e.append(k);
    return e;
  }
  function cssVar(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
  }

  async function api(method, path, body) {
    const opts = { method, headers: {} };
    if (method !== 'GET') opts.headers['X-CSRF-Token'] = csrf;
    if (body !== undefined) {
      opts.headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
    let resp;
    try {
      resp = await fetch(path, opts);
    } catch (err) {
      throw new Error('The posturewatch server is not reachable.');
    }
    let data = null;
    try { data = await resp.json(); } catch (_) { /* not JSON */ }
    if (!resp.ok) throw new Error((data && data.error) || ('HTTP ' + resp.status));
    return data;
  }

  // ---------- toast and notifications ----------
  let toastTimer = null;
  function toast(title, body, kind) {
    $('toast-title').textContent = title;
    $('toast-body').textContent = body || '';
    $('toast').dataset.kind = kind || 'info';
    $('toast').hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { $('toast').hidden = true; }, 12000);
  }
  $('toast-close').addEventListener('click', () => { $('toast').hidden = true; });
  function browserNotify(title, body) {
    if (!('Notification' in window) || Notification.permission !== 'granted' || !document.hidden) return;
    try { new Notification(title, { body, tag: 'posturewatch' }); } catch (_) { /* some browsers need a service worker */ }
  }
  function updateNotifyButton() {
    const b = $('notify-permission');
    if (!('Notification' in window)) { b.disabled = true; b.textContent = 'Browser notifications unsupported'; return; }
    if (Notification.permission === 'granted') { b.disabled = true; b.textContent = 'Browser notifications allowed'; }
    else if (Notification.permission === 'denied') { b.disabled = true; b.textContent = 'Browser notifications blocked'; }
  }
  $('notify-permission').addEventListener('click', async () => {
    if ('Notification' in window) { try { await Notification.requestPermission(); } catch (_) { /* ignore */ } }
    updateNotifyButton();
  });
  updateNotifyButton();

  // ---------- live state ----------
  let status = null;
  let lastSample = null;

  const faultItems = {};
  for (const f of FAULTS) {
    const li = el('li', { 'data-fault': f, 'data-level': 'none', text: label(f) });
    faultItems[f] = li;
    $('faults').append(li);
  }

  function stateText(st) {
    switch (st.state) {
      case 'good': return 'Good posture';
      case 'slouching': return st.fault ? 'Slouching: ' + label(st.fault).toLowerCase() : 'Slouching';
      case 'away': return 'Away';
      case 'paused': return 'Paused';
      case 'calibrating': return 'Calibrating…';
      default: return st.state ? st.state.charAt(0).toUpperCase() + st.state.slice(1) : 'Starting…';
    }
  }

  function renderStatus() {
    if (!status) return;
    const st = status;
    const s = $('state');
    s.textContent = stateText(st);
    s.dataset.state = st.state || 'unknown';
    let detail = '';
    if (st.state === 'paused' && st.paused_until) detail = 'Until ' + fmtTime(st.paused_until) + '. The camera is off.';
    else {
      const since = st.since ? Date.parse(st.since) : NaN;
      const forS = !isNaN(since) && since > 0 ? (Date.now() - since) / 1000 : st.for_s;
      if (forS > 0) detail = 'For ' + fmtDur(forS);
    }
    if (st.quiet) detail += (detail ? ' · ' : '') + 'quiet hours';
    $('state-detail').textContent = detail;
    $('good-today').textContent = fmtDur(st.good_today_s);
    $('present-today').textContent = fmtDur(st.present_today_s);
    $('streak').textContent = st.state === 'good' ? fmtDur(st.streak_s) : '–';
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
    if (!lastSample || st.state === 'paused' || st.state === 'away') renderScore(st.state === 'good' || st.state === 'slouching' ? st.score : null);
    const confirmed = new Set(), active = new Set();
    for (const f of st.faults || []) {
      if (f.confirmed) confirmed.add(f.name); else if (f.active) active.add(f.name);
    }
    const idle = st.state === 'paused' || st.state === 'away' || st.state === 'calibrating';
    for (const f of FAULTS) {
      const li = faultItems[f];
      if (idle) li.dataset.level = 'none';
      else if (confirmed.has(f)) li.dataset.level = 'confirmed';
      else if (active.has(f)) li.dataset.level = 'active';
      else if (li.dataset.level !== 'seen') li.dataset.level = 'none';
    }
    if (st.routine && stretch.phase === 'idle' && !stretch.dismissed.has(st.routine.id)) offerRoutine(st.routine);
  }

  function renderScore(score) {
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

  function onSample(smp) {
    lastSample = smp;
    if (status && (status.state === 'paused' || status.state === 'calibrating')) return;
    renderScore(smp.score);
    const seen = new Set((smp.faults || []).filter((f) => f.severity >= 0.3).map((f) => f.name));
    const fromStatus = new Set(((status && status.faults) || []).filter((f) => f.active || f.confirmed).map((f) => f.name));
    for (const f of FAULTS) {
      const li = faultItems[f];
      if (fromStatus.has(f)) continue;
      li.dataset.level = seen.has(f) ? 'seen' : 'none';
    }
    if (smp.state && status && smp.state !== status.state) {
      status.state = smp.state;
      status.fault = smp.fault;
      renderStatus();
    }
    if (status && typeof smp.streak_s === 'number' && smp.state === 'good') $('streak').textContent = fmtDur(smp.streak_s);
    if (typeof smp.good_today_s === 'number' && smp.good_today_s > 0) $('good-today').textContent = fmtDur(smp.good_today_s);
  }

  function onEvent(e) {
    switch (e.type) {
      case 'state':
        if (status) {
          status.state = e.state;
          status.fault = e.fault || '';
          status.for_s = 0;
          status.since = e.time || new Date().toISOString();
          renderStatus();
        }
        break;
      case 'nudge': {
        const title = label(e.fault);
        const body = e.message || e.fix || ''; // the coach's message already carries the quick fix
        toast(title, body, 'nudge');
        browserNotify('Posture: ' + title.toLowerCase(), body);
        break;
      }
      case 'suggestion':
        toast('Time for a stretch break', (e.routine && e.routine.title ? e.routine.title + '. ' : '') + (e.message || ''), 'suggestion');
        browserNotify('Time for a stretch break', e.message || '');
        if (e.routine) { stretch.dismissed.delete(e.routine.id); offerRoutine(e.routine); }
        break;
      case 'break':
        toast('Time to stand up', e.message || 'You have been sitting for a while.', 'break');
        browserNotify('Time to stand up', e.message || '');
        break;
      case 'recalibrate':
        toast('Recalibrate?', e.message || 'The camera or your seat seems to have changed.', 'info');
        break;
      case 'paused':
        if (status) { status.state = 'paused'; status.paused_until = e.until; renderStatus(); }
        break;
      case 'resumed':
        if (status && status.state === 'paused') { status.state = 'good'; status.paused_until = null; renderStatus(); }
        break;
      case 'calibration':
        onCalibrationEvent(e);
        break;
      default:
        break;
    }
  }

  // ---------- WebSocket with reconnect ----------
  let ws = null;
  let backoff = 1000;
  let previewOn = false;
  function setConn(state, text) {
    $('conn').dataset.state = state;
    $('conn').textContent = text;
  }
  function connect() {
    const proto = location.protocol === 'https:' ? 'wss://' : 'ws://';
    let sock;
    try {
      sock = new WebSocket(proto + location.host + '/ws' + (previewOn ? '?preview=1' : ''));
    } catch (err) {
      scheduleReconnect();
      return;
    }
    ws = sock;
    setConn('connecting', 'Connecting…');
    sock.onopen = () => { backoff = 1000; setConn('open', 'Live'); };
    sock.onmessage = (ev) => {
      let m;
      try { m = JSON.parse(ev.data); } catch (_) { return; }
      handle(m);
    };
    sock.onclose = () => {
      if (ws !== sock) return;
      ws = null;
      setConn('closed', 'Disconnected: reconnecting…');
      scheduleReconnect();
    };
    sock.onerror = () => { /* onclose follows */ };
  }
  function scheduleReconnect() {
    const wait = backoff + Math.floor(Math.random() * 300);
    backoff = Math.min(backoff * 2, 15000);
    setTimeout(connect, wait);
  }
  function handle(m) {
    switch (m.type) {
      case 'hello':
        refreshCSRF();
        status = m.hello.status;
        renderStatus();
        if (m.hello.last_sample) onSample(m.hello.last_sample);
        historyEnabled = m.hello.history !== false;
        if (m.hello.stats) onStats(m.hello.stats);
        refreshAll();
        break;
      case 'sample': onSample(m.sample); break;
      case 'event': onEvent(m.event); break;
      case 'status': status = m.status; renderStatus(); break;
      case 'stats': onStats(m.stats); break;
      case 'preview': drawPreview(m.preview); break;
      case 'reps': onReps(m.reps); break;
      default: break;
    }
  }
  let helloCount = 0;
  async function refreshCSRF() {
    if (helloCount++ === 0) return; // the page's own token is fresh
    try { const r = await api('GET', '/api/csrf'); if (r && r.token) csrf = r.token; } catch (_) { /* retried on next hello */ }
  }
  function onStats(st) {
    const days = (st && st.days) || [];
    const today = days.length ? days[days.length - 1] : null;
    if (today && status) {
      status.good_today_s = today.good_s;
      status.present_today_s = today.present_s;
      $('good-today').textContent = fmtDur(today.good_s);
      $('present-today').textContent = fmtDur(today.present_s);
    }
    scheduleHistory();
  }

  // ---------- pause ----------
  function closePauseMenu() {
    $('pause-menu').hidden = true;
    $('pause-btn').setAttribute('aria-expanded', 'false');
  }
  $('pause-btn').addEventListener('click', () => {
    const open = $('pause-menu').hidden;
    $('pause-menu').hidden = !open;
    $('pause-btn').setAttribute('aria-expanded', String(open));
    if (open) $('pause-15').focus();
  });
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape') closePauseMenu(); });
  async function pause(body) {
    closePauseMenu();
    try {
      status = await api('POST', '/api/pause', body);
      renderStatus();
    } catch (err) { toast('Could not pause', err.message, 'error'); }
  }
  $('pause-15').addEventListener('click', () => pause({ minutes: 15 }));
  $('pause-60').addEventListener('click', () => pause({ minutes: 60 }));
  $('pause-tomorrow').addEventListener('click', () => {
    const t = new Date();
    t.setDate(t.getDate() + 1);
    t.setHours(8, 0, 0, 0);
    pause({ until: t.toISOString().replace(/\.\d{3}Z$/, 'Z') });
  });
  $('resume-btn').addEventListener('click', async () => {
    try { status = await api('POST', '/api/resume'); renderStatus(); } catch (err) { toast('Could not resume', err.message, 'error'); }
  });
  $('about-btn').addEventListener('click', () => { $('about').scrollIntoView({ behavior: 'smooth' }); $('about').focus(); });

  // ---------- camera preview ----------
  const SKELETON = [['left_ear', 'left_eye'], ['left_eye', 'nose'], ['nose', 'right_eye'], ['right_eye', 'right_ear'],
    ['left_shoulder', 'right_shoulder'], ['left_shoulder', 'left_elbow'], ['left_elbow', 'left_wrist'],
    ['right_shoulder', 'right_elbow'], ['right_elbow', 'right_wrist'], ['left_shoulder', 'left_hip'],
    ['right_shoulder', 'right_hip'], ['left_hip', 'right_hip'], ['left_ear', 'left_shoulder'], ['right_ear', 'right_shoulder']];
  $('preview-btn').addEventListener('click', () => {
    previewOn = !previewOn;
    $('preview-btn').setAttribute('aria-pressed', String(previewOn));
    $('preview-btn').textContent = previewOn ? 'Hide camera preview' : 'Show camera preview';
    $('preview-canvas').hidden = !previewOn;
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'preview', on: previewOn }));
  });
  let previewBusy = false;
  function drawPreview(p) {
    if (!previewOn || previewBusy || !p || !p.jpeg) return;
    previewBusy = true;
    const img = new Image();
    img.onload = () => {
      const c = $('preview-canvas');
      const w = p.width || img.naturalWidth, h = p.height || img.naturalHeight;
      if (c.width !== w || c.height !== h) { c.width = w; c.height = h; }
      const g = c.getContext('2d');
      g.drawImage(img, 0, 0, w, h);
      const kp = {};
      for (const k of p.keypoints || []) if (k.score >= 0.3) kp[k.name] = k;
      g.lineWidth = Math.max(2, w / 240);
      g.strokeStyle = '#36e07a';
      for (const [a, b] of SKELETON) {
        if (!kp[a] || !kp[b]) continue;
        g.beginPath(); g.moveTo(kp[a].x, kp[a].y); g.lineTo(kp[b].x, kp[b].y); g.stroke();
      }
      g.fillStyle = '#ffd23f';
      for (const k of Object.values(kp)) { g.beginPath(); g.arc(k.x, k.y, g.lineWidth * 1.6, 0, Math.PI * 2); g.fill(); }
      previewBusy = false;
    };
    img.onerror = () => { previewBusy = false; };
    img.src = 'data:image/jpeg;base64,' + p.jpeg;
  }

  // ---------- stretch player ----------
  // dismissed: ids of routines closed or finished, so a status that still
  // carries one does not offer it again (a new suggestion event does).
  const stretch = { phase: 'idle', routine: null, index: 0, block: 0, blocks: 1, remaining: 0, timer: null, reps: 0, running: false, resting: false, dismissed: new Set() };
  function dismissRoutine() {
    if (stretch.routine && stretch.routine.id) stretch.dismissed.add(stretch.routine.id);
    stretch.routine = null;
    setPhase('idle');
  }

  function setPhase(p) {
    stretch.phase = p;
    $('stretch-player').dataset.phase = p;
    $('stretch-idle').hidden = p !== 'idle';
    $('stretch-offer').hidden = p !== 'offer';
    $('stretch-run').hidden = p !== 'run';
    $('stretch-finished').hidden = p !== 'finished';
    $('safety').hidden = p === 'idle';
  }
  function renderSafety(r) {
    const box = $('safety');
    box.replaceChildren(el('strong', { text: 'Safety' }));
    const ul = el('ul');
    for (const s of r.safety || []) ul.append(el('li', { text: s }));
    box.append(ul);
  }
  function items(r) { return (r && r.items) || []; }
  function offerRoutine(r) {
    if (stretch.phase === 'run') return;
    stretch.routine = r;
    $('routine-title').textContent = r.title || 'Stretch break';
    $('routine-reason').textContent = r.reason || '';
    const list = $('routine-list');
    list.replaceChildren();
    for (const it of items(r)) list.append(el('li', { text: it.exercise.name + ' — ' + doseText(it.exercise.dose) }));
    renderSafety(r);
    setPhase('offer');
  }
  function doseText(d) {
    if (!d) return '';
    const parts = [];
    if (d.reps) parts.push(d.reps + ' reps');
    if (d.hold_seconds) parts.push((d.reps ? 'hold ' : 'hold ') + d.hold_seconds + ' s');
    parts.push(d.sets === 1 ? '1 set' : (d.sets || 1) + ' sets');
    if (d.per_side) parts.push('each side');
    return parts.join(', ');
  }
  $('routine-request').addEventListener('click', async () => {
    try {
      const res = await api('POST', '/api/routine/start', {});
      offerRoutine(res.routine);
      beginRoutine();
    } catch (err) { toast('No stretch break available', err.message, 'error'); }
  });
  $('routine-begin').addEventListener('click', async () => {
    const r = stretch.routine;
    if (!r) return;
    let res;
    try {
      res = await api('POST', '/api/routine/start', { id: r.id });
    } catch (err) {
      // The suggestion may have been replaced meanwhile: ask for a fresh
      // routine for the same faults.
      try {
        res = await api('POST', '/api/routine/start', { faults: r.faults || [] });
      } catch (err2) {
        toast('Could not start the routine', err2.message, 'error');
        return;
      }
    }
    if (res && res.routine) stretch.routine = res.routine;
    beginRoutine();
  });
  $('routine-dismiss').addEventListener('click', dismissRoutine);
  function beginRoutine() {
    stretch.index = 0;
    renderSafety(stretch.routine);
    setPhase('run');
    showExercise();
  }
  function stopTimer() {
    clearInterval(stretch.timer);
    stretch.timer = null;
    stretch.running = false;
  }
  function current() { return items(stretch.routine)[stretch.index]; }
  function showExercise() {
    stopTimer();
    const it = current();
    if (!it) { finishRoutine(); return; }
    const ex = it.exercise, d = ex.dose || {};
    $('exercise-index').textContent = 'Exercise ' + (stretch.index + 1) + ' of ' + items(stretch.routine).length;
    $('exercise-name').textContent = ex.name;
    $('exercise-why').textContent = it.why || ex.purpose || '';
    const ol = $('exercise-steps');
    ol.replaceChildren();
    for (const s of ex.steps || []) ol.append(el('li', { text: s }));
    $('exercise-dose').textContent = doseText(d);
    const cl = $('exercise-cautions');
    cl.replaceChildren();
    for (const c of ex.cautions || []) cl.append(el('li', { text: c }));
    stretch.blocks = Math.max(1, (d.sets || 1) * (d.per_side ? 2 : 1));
    stretch.block = 0;
    stretch.reps = 0;
    stretch.resting = false;
    const usesReps = (d.reps || 0) > 0;
    $('rep-row').hidden = !usesReps;
    $('rep-target').textContent = String(d.reps || 0);
    $('rep-count').textContent = '0';
    $('rep-source').textContent = ex.checkable ? 'counted by the camera' : '';
    $('rep-plus').hidden = !!ex.checkable;
    stretch.remaining = usesReps ? (d.hold_seconds || 0) : (d.hold_seconds || 30);
    $('stretch-timer').textContent = fmtClock(stretch.remaining);
    $('exercise-start').disabled = false;
    $('exercise-start').textContent = 'Start';
    renderBlock();
  }
  function renderBlock() {
    const d = (current() && current().exercise.dose) || {};
    let txt = 'Set ' + (Math.floor(stretch.block / (d.per_side ? 2 : 1)) + 1) + ' of ' + (d.sets || 1);
    if (d.per_side) txt += stretch.block % 2 === 0 ? ' · left side' : ' · right side';
    if (stretch.resting) txt = 'Rest';
    $('stretch-block').textContent = txt;
  }
  function tick() {
    stretch.remaining -= 1;
    $('stretch-timer').textContent = fmtClock(stretch.remaining);
    if (stretch.remaining > 0) return;
    const it = current(), d = it.exercise.dose || {};
    if (stretch.resting) {
      stretch.resting = false;
      stretch.remaining = (d.reps ? (d.hold_seconds || 0) : (d.hold_seconds || 30));
      $('stretch-timer').textContent = fmtClock(stretch.remaining);
      renderBlock();
      if (d.reps) stopTimer();
      return;
    }
    if (d.reps) {
      // a hold within a repetition finished
      stopTimer();
      if (!it.exercise.checkable) addRep();
      stretch.remaining = d.hold_seconds || 0;
      $('exercise-start').disabled = false;
      $('exercise-start').textContent = 'Hold';
      return;
    }
    nextBlock();
  }
  function nextBlock() {
    const d = current().exercise.dose || {};
    stretch.block += 1;
    stretch.reps = 0;
    $('rep-count').textContent = '0';
    if (stretch.block >= stretch.blocks) { stopTimer(); completeExercise(false); return; }
    if (d.rest_seconds) {
      stretch.resting = true;
      stretch.remaining = d.rest_seconds;
      if (!stretch.timer) { stretch.timer = setInterval(tick, 1000); stretch.running = true; }
    } else {
      stretch.remaining = d.reps ? (d.hold_seconds || 0) : (d.hold_seconds || 30);
      if (d.reps) stopTimer();
    }
    $('stretch-timer').textContent = fmtClock(stretch.remaining);
    renderBlock();
  }
  function addRep() {
    const d = current().exercise.dose || {};
    stretch.reps += 1;
    $('rep-count').textContent = String(stretch.reps);
    if (d.reps && stretch.reps >= d.reps) nextBlock();
  }
  $('exercise-start').addEventListener('click', () => {
    const d = (current() && current().exercise.dose) || {};
    if (stretch.running) return;
    if (d.reps && !d.hold_seconds) { addRep(); return; }
    if (stretch.remaining <= 0) stretch.remaining = d.hold_seconds || 30;
    stretch.running = true;
    $('exercise-start').disabled = true;
    $('stretch-timer').textContent = fmtClock(stretch.remaining);
    stretch.timer = setInterval(tick, 1000);
  });
  $('rep-plus').addEventListener('click', () => { if (current()) addRep(); });
  function onReps(r) {
    const it = current();
    if (stretch.phase !== 'run' || !it || it.exercise.id !== r.exercise_id) return;
    stretch.reps = r.count;
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
        await api('POST', '/api/routine/exercise-done', { routine_id: stretch.routine.id, exercise_id: it.exercise.id, skipped });
      } catch (err) { toast('Could not record the exercise', err.message, 'error'); }
    }
    stretch.index += 1;
    showExercise();
  }
  $('exercise-done').addEventListener('click', () => completeExercise(false));
  $('exercise-skip').addEventListener('click', () => completeExercise(true));
  $('routine-stop').addEventListener('click', async () => {
    stopTimer();
    dismissRoutine();
    // Tell the service too, so the camera stops counting repetitions.
    try { await api('POST', '/api/routine/stop', {}); } catch (err) { toast('Could not stop the routine', err.message, 'error'); }
  });
  async function finishRoutine() {
    stopTimer();
    setPhase('finished');
    if (stretch.routine && stretch.routine.id) stretch.dismissed.add(stretch.routine.id);
    try {
      await api('POST', '/api/routine/exercise-done', { routine_id: stretch.routine.id, exercise_id: '' });
    } catch (err) { toast('Could not record the routine', err.message, 'error'); }
    scheduleHistory();
  }
  $('routine-close').addEventListener('click', dismissRoutine);
  setPhase('idle');

  // ---------- calibration wizard ----------
  let calibTimer = null;
  function calibStep(step) {
    $('calibration').dataset.step = step;
    $('calib-intro').hidden = step !== 'intro';
    $('calib-run').hidden = step !== 'run';
    $('calib-done').hidden = step !== 'done';
  }
  let calibResolve = null; // ends the running countdown early (cancel)
  function countdown(seconds, phaseText, onTick) {
    return new Promise((resolve) => {
      calibResolve = resolve;
      let left = seconds;
      $('calib-phase').textContent = phaseText;
      $('calib-countdown').textContent = String(left);
      calibTimer = setInterval(() => {
        left -= 1;
        $('calib-countdown').textContent = String(Math.max(left, 0));
        if (onTick) onTick();
        if (left <= 0) { clearInterval(calibTimer); calibTimer = null; resolve(); }
      }, 1000);
    });
  }
  $('calib-start').addEventListener('click', async () => {
    const name = $('calib-name').value.trim();
    $('calib-error').textContent = '';
    try {
      // the server's rule for names is the only one (spaces are fine)
      await api('POST', '/api/profiles/check', { name });
    } catch (err) {
      $('calib-error').textContent = err.message;
      return;
    }
    calibCancelled = false;
    calibStep('run');
    $('calib-frames').textContent = '';
    const prepareS = Number($('calibration').dataset.prepareS) || 3;
    const captureS = Number($('calibration').dataset.captureS) || 10;
    await countdown(prepareS, 'Get ready: sit tall and look at the screen.');
    if (calibCancelled) return;
    try {
      await api('POST', '/api/calibration/start');
    } catch (err) {
      $('calib-error').textContent = err.message;
      calibStep('intro');
      return;
    }
    await countdown(captureS, 'Hold still in your good posture…', () => {
      if (status && status.calibration_frames) $('calib-frames').textContent = status.calibration_frames + ' frames captured';
    });
    if (calibCancelled) return;
    try {
      const res = await api('POST', '/api/calibration/finish', { profile: name });
      showBaseline(res.baseline);
      calibStep('done');
      loadProfiles();
    } catch (err) {
      $('calib-error').textContent = 'Calibration failed: ' + err.message + ' Try again with your head and shoulders in view.';
      calibStep('intro');
    }
  });
  function showBaseline(b) {
    $('calib-summary').textContent = 'Profile "' + b.name + '" saved from ' + b.frames + ' frames and now in use.';
    const tb = $('calib-table').querySelector('tbody');
    tb.replaceChildren();
    for (const [k, v] of Object.entries(b.metrics || {}).sort()) {
      tb.append(el('tr', null, el('td', { text: k.replace(/_/g, ' ') }), el('td', { text: v.median.toFixed(3) }), el('td', { text: '± ' + v.mad.toFixed(3) })));
    }
  }
  function onCalibrationEvent(e) {
    if (e.calibration === 'failed' && e.error) $('calib-error').textContent = e.error;
  }
  $('calib-redo').addEventListener('click', () => calibStep('intro'));
  let calibCancelled = false;
  $('calib-cancel').addEventListener('click', async () => {
    calibCancelled = true;
    if (calibTimer) { clearInterval(calibTimer); calibTimer = null; }
    if (calibResolve) { calibResolve(); calibResolve = null; }
    try { await api('POST', '/api/calibration/cancel'); } catch (err) { /* none was running yet */ }
    calibStep('intro');
    $('calib-name').focus();
  });
  calibStep('intro');

  // ---------- settings ----------
  let config = null;
  async function loadConfig() {
    try {
      config = await api('GET', '/api/config');
    } catch (err) { $('settings-msg').textContent = err.message; return; }
    $('set-sensitivity').value = config.sensitivity;
    $('set-onset').value = Math.round(config.onset_delay_s);
    $('set-cooldown').value = Math.round(config.cooldown_s / 60);
    const [qf, qt] = (config.quiet_hours || '').split('-');
    $('set-quiet-from').value = qf || '';
    $('set-quiet-to').value = qt || '';
    const eq = new Set(config.equipment || []);
    for (const cb of $('set-equipment').querySelectorAll('input')) cb.checked = eq.has(cb.value);
    $('set-desk-only').checked = !!config.desk_only;
    try {
      const n = await api('GET', '/api/notifications');
      $('set-desktop').checked = !!n.desktop;
      $('set-desktop').disabled = !n.available;
    } catch (_) { $('set-desktop').disabled = true; }
  }
  $('settings-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const qf = $('set-quiet-from').value, qt = $('set-quiet-to').value;
    if ((qf && !qt) || (!qf && qt)) { $('settings-msg').textContent = 'Give both ends of the quiet hours, or neither.'; return; }
    const keep = (config && config.equipment || []).filter((x) => x === 'none' || x === 'chair');
    const patch = {
      sensitivity: $('set-sensitivity').value,
      onset_delay_s: Number($('set-onset').value),
      cooldown_s: Number($('set-cooldown').value) * 60,
      quiet_hours: qf && qt ? qf + '-' + qt : '',
      equipment: keep.concat([...$('set-equipment').querySelectorAll('input:checked')].map((c) => c.value)),
      desk_only: $('set-desk-only').checked,
    };
    try {
      config = await api('PATCH', '/api/config', patch);
      if (!$('set-desktop').disabled) await api('POST', '/api/notifications', { desktop: $('set-desktop').checked });
      $('settings-msg').textContent = 'Saved.';
    } catch (err) { $('settings-msg').textContent = err.message; }
  });

  // ---------- profiles ----------
  async function loadProfiles() {
    let res;
    try { res = await api('GET', '/api/profiles'); } catch (err) { $('profiles-msg').textContent = err.message; return; }
    const ul = $('profiles-list');
    ul.replaceChildren();
    if (!res.profiles.length) ul.append(el('li', { class: 'muted', text: 'No profiles yet: run a calibration.' }));
    for (const p of res.profiles) {
      const li = el('li', { 'data-profile': p.name }, el('span', { class: 'name', text: p.name }));
      if (p.active) li.append(el('span', { class: 'badge', text: 'in use' }));
      li.append(el('span', { class: 'muted', text: p.frames + ' frames' }));
      const use = el('button', { type: 'button', text: 'Use', 'aria-label': 'Use profile ' + p.name });
      use.disabled = !!p.active;
      use.addEventListener('click', async () => {
        try { await api('POST', '/api/profiles/' + encodeURIComponent(p.name) + '/activate'); $('profiles-msg').textContent = 'Now using ' + p.name + '.'; loadProfiles(); } catch (err) { $('profiles-msg').textContent = err.message; }
      });
      const del = el('button', { type: 'button', text: 'Delete', 'aria-label': 'Delete profile ' + p.name });
      del.addEventListener('click', async () => {
        if (!window.confirm('Delete the profile "' + p.name + '"?')) return;
        try { await api('DELETE', '/api/profiles/' + encodeURIComponent(p.name)); $('profiles-msg').textContent = 'Deleted ' + p.name + '.'; loadProfiles(); } catch (err) { $('profiles-msg').textContent = err.message; }
      });
      li.append(use, del);
      ul.append(li);
    }
  }

  // ---------- history charts ----------
  let historyBy = 'hour';
  let historyTimer = null;
  function scheduleHistory() {
    if (historyTimer) return;
    historyTimer = setTimeout(() => { historyTimer = null; loadHistory(); }, 2000);
  }
  for (const b of [$('hist-hour'), $('hist-day')]) {
    b.addEventListener('click', () => {
      historyBy = b.dataset.by;
      $('hist-hour').setAttribute('aria-pressed', String(historyBy === 'hour'));
      $('hist-day').setAttribute('aria-pressed', String(historyBy === 'day'));
      loadHistory();
    });
  }
  let historyEnabled = false;
  async function loadHistory() {
    if (!historyEnabled) {
      drawShareChart([], historyBy, 'History is not recorded in this run.');
      drawFaultChart({});
      $('history-summary').textContent = 'History is not recorded in this run.';
      return;
    }
    let res;
    try {
      res = await api('GET', '/api/history?by=' + historyBy);
    } catch (err) {
      drawShareChart([], historyBy, err.message);
      drawFaultChart({});
      $('history-summary').textContent = err.message;
      return;
    }
    const buckets = res.buckets || [];
    drawShareChart(buckets, historyBy);
    const faults = {};
    let nudges = 0, suggested = 0, done = 0, present = 0, good = 0;
    for (const b of buckets) {
      for (const [f, s] of Object.entries(b.fault_s || {})) faults[f] = (faults[f] || 0) + s;
      nudges += b.nudges || 0; suggested += b.breaks_suggested || 0; done += b.breaks_done || 0;
      present += b.present_s || 0; good += b.good_s || 0;
    }
    drawFaultChart(faults);
    const share = present > 0 ? Math.round(100 * good / present) + '% good posture' : 'no time at the desk yet';
    $('history-summary').textContent = (historyBy === 'hour' ? 'Today: ' : 'Last 14 days: ') + share + ' · ' +
      nudges + ' nudge' + (nudges === 1 ? '' : 's') + ' · ' + suggested + ' stretch break' + (suggested === 1 ? '' : 's') +
      ' suggested · ' + done + ' done';
  }
  function drawShareChart(buckets, by, errText) {
    const c = $('history-chart');
    const dpr = window.devicePixelRatio || 1;
    const cssW = c.clientWidth || 560, cssH = c.clientHeight || 200;
    c.width = Math.round(cssW * dpr); c.height = Math.round(cssH * dpr);
    const g = c.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, cssW, cssH);
    const padL = 34, padB = 22, padT = 8, padR = 6;
    const w = cssW - padL - padR, h = cssH - padT - padB;
    g.font = '11px system-ui, sans-serif';
    g.fillStyle = cssVar('--muted');
    g.strokeStyle = cssVar('--line');
    g.lineWidth = 1;
    for (const pct of [0, 50, 100]) {
      const y = padT + h - (pct / 100) * h;
      g.beginPath(); g.moveTo(padL, y + 0.5); g.lineTo(padL + w, y + 0.5); g.stroke();
      g.fillText(pct + '%', 2, y + 4);
    }
    let bars = 0;
    if (buckets.length) {
      const bw = w / buckets.length;
      buckets.forEach((b, i) => {
        const x = padL + i * bw;
        if (b.present_s > 0) {
          const share = Math.min(1, b.good_s / b.present_s);
          g.fillStyle = share >= 0.75 ? cssVar('--good') : share >= 0.5 ? cssVar('--warn') : cssVar('--bad');
          const bh = Math.max(2, share * h);
          g.fillRect(x + bw * 0.15, padT + h - bh, bw * 0.7, bh);
          bars++;
        }
        // Markers above the bars: nudges (orange count) and stretch breaks done (green dot).
        if (b.nudges > 0) {
          g.fillStyle = cssVar('--warn');
          g.fillText(String(b.nudges), x + bw * 0.5 - 3, padT + 10);
        }
        if (b.breaks_done > 0) {
          g.fillStyle = cssVar('--good');
          g.beginPath(); g.arc(x + bw * 0.5, padT + 18, 3, 0, Math.PI * 2); g.fill();
        }
        const d = new Date(b.start);
        const every = by === 'hour' ? 3 : 2;
        if (i % every === 0) {
          g.fillStyle = cssVar('--muted');
          const t = by === 'hour' ? String(d.getHours()).padStart(2, '0') : (d.getDate() + '/' + (d.getMonth() + 1));
          g.fillText(t, x + 1, cssH - 6);
        }
      });
    }
    if (!bars) {
      g.fillStyle = cssVar('--muted');
      g.fillText(errText || 'No data for this period yet.', padL + 8, padT + h / 2);
    }
    c.dataset.bars = String(bars);
    c.dataset.rendered = 'true';
  }
  function drawFaultChart(faults) {
    const svg = $('faults-chart');
    const NS = 'http://www.w3.org/2000/svg';
    svg.replaceChildren();
    const entries = Object.entries(faults).filter(([, s]) => s > 0).sort((a, b) => b[1] - a[1]).slice(0, 6);
    const width = svg.clientWidth || 520;
    svg.setAttribute('height', String(Math.max(40, entries.length * 24 + 6)));
    if (!entries.length) {
      const t = document.createElementNS(NS, 'text');
      t.setAttribute('x', '4'); t.setAttribute('y', '24'); t.setAttribute('fill', cssVar('--muted'));
      t.textContent = 'No slouching recorded in this period.';
      svg.append(t);
      svg.dataset.bars = '0';
      return;
    }
    const max = entries[0][1];
    const labelW = 150;
    entries.forEach(([f, s], i) => {
      const y = 4 + i * 24;
      const t = document.createElementNS(NS, 'text');
      t.setAttribute('x', '0'); t.setAttribute('y', String(y + 14)); t.setAttribute('fill', cssVar('--fg'));
      t.setAttribute('font-size', '12');
      t.textContent = label(f);
      const r = document.createElementNS(NS, 'rect');
      const bw = Math.max(2, (width - labelW - 70) * s / max);
      r.setAttribute('x', String(labelW)); r.setAttribute('y', String(y + 3));
      r.setAttribute('width', String(bw)); r.setAttribute('height', '14');
      r.setAttribute('rx', '3'); r.setAttribute('fill', cssVar('--bad'));
      r.setAttribute('class', 'bar');
      const v = document.createElementNS(NS, 'text');
      v.setAttribute('x', String(labelW + bw + 6)); v.setAttribute('y', String(y + 14));
      v.setAttribute('fill', cssVar('--muted')); v.setAttribute('font-size', '12');
      v.textContent = (s / 60).toFixed(1) + ' min';
      svg.append(t, r, v);
    });
    svg.dataset.bars = String(entries.length);
  }

  function refreshAll() {
    loadConfig();
    loadProfiles();
    loadHistory();
  }
  setInterval(loadHistory, 60000);
  setInterval(() => { if (status) renderStatus(); }, 5000);
  // Charts take their colours from CSS: redraw when light/dark switches.
  if (window.matchMedia) {
    const mq = window.matchMedia('(prefers-color-scheme: dark)');
    if (mq.addEventListener) mq.addEventListener('change', () => { loadHistory(); if (status) renderStatus(); });
  }
  connect();
})();
