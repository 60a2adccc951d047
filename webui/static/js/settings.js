// The Settings form: coach settings (PATCH /api/config, validated by the
// server) and the server's desktop notifications.
import { $ } from './dom.js';
import { api, get, post } from './api.js';

let config = null;
let cameraFixed = false;

// The form's fields for each setting, to grey out those an environment
// variable holds for this run (the server refuses to change them, and
// never saves them into the settings file).
const FIELDS = {
  sensitivity: ['set-sensitivity'], onset_delay_s: ['set-onset'], cooldown_s: ['set-cooldown'],
  quiet_hours: ['set-quiet-from', 'set-quiet-to'], equipment: ['set-equipment'], desk_only: ['set-desk-only'],
  desktop_notifications: ['set-desktop'], camera: ['set-camera'],
};
let held = new Map(); // setting → the variable that holds it

async function markHeld() {
  try {
    const a = await get('/api/about');
    held = new Map((a.environment || []).map((e) => [e.setting, e.var]));
  } catch (_) { held = new Map(); }
  for (const [key, ids] of Object.entries(FIELDS)) {
    for (const id of ids) {
      const el = $(id);
      if (!el) continue;
      if (held.has(key)) {
        el.disabled = true;
        el.title = 'Set by ' + held.get(key) + ' for this run';
      } else if (el.title.startsWith('Set by ')) {
        el.title = '';
      }
    }
  }
  $('settings-env-note').textContent = held.size
    ? 'Greyed settings come from environment variables for this run (' + [...held.values()].join(', ') + '): change them there.'
    : '';
}

// The camera chooser: the cameras the server lists, remembered by the name
// that survives re-plugging (the by-id link) where there is one. A camera
// chosen earlier that is not connected now stays listed, marked so.
async function loadCameras() {
  const sel = $('set-camera'), note = $('set-camera-note');
  let cams;
  try {
    cams = await get('/api/cameras');
  } catch (err) {
    sel.replaceChildren(new Option('First camera', ''));
    sel.disabled = true;
    note.textContent = 'The cameras cannot be listed: ' + err.message;
    return;
  }
  const opts = [new Option('First camera (default)', '')];
  const known = new Set(['']);
  let inUseName = cams.in_use || '';
  for (const d of cams.devices || []) {
    const value = d.link || d.path;
    let text = (d.name || 'Unnamed camera') + ' (' + d.path + ')';
    if (d.problem) text += ' — cannot be opened: ' + d.problem;
    opts.push(new Option(text, value));
    known.add(value);
    known.add(d.path);
    if (d.path === cams.in_use) inUseName = (d.name || 'Unnamed camera') + ' (' + d.path + ')';
  }
  const chosen = cams.chosen || '';
  if (!known.has(chosen)) opts.push(new Option(chosen + ' (not connected now)', chosen));
  sel.replaceChildren(...opts);
  // the chosen value may be a path while the option carries the by-id link
  const match = (cams.devices || []).find((d) => d.path === chosen || d.link === chosen);
  sel.value = match ? (match.link || match.path) : chosen;
  cameraFixed = !!cams.fixed;
  sel.disabled = cameraFixed;
  if (cameraFixed) note.textContent = 'No camera to choose: ' + cams.fixed + '.';
  else if (!(cams.devices || []).length) note.textContent = 'No camera found. Plug one in; monitoring starts when it appears.';
  else note.textContent = inUseName ? 'Watching ' + inUseName + '.' : '';
}

export async function loadConfig() {
  try {
    config = await get('/api/config');
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
  await loadCameras();
  try {
    const n = await get('/api/notifications');
    $('set-desktop').checked = !!n.desktop;
    $('set-desktop').disabled = !n.available;
  } catch (_) { $('set-desktop').disabled = true; }
  await markHeld();
}

async function save(e) {
  e.preventDefault();
  const qf = $('set-quiet-from').value, qt = $('set-quiet-to').value;
  if ((qf && !qt) || (!qf && qt)) { $('settings-msg').textContent = 'Give both ends of the quiet hours, or neither.'; return; }
  // Equipment the form does not show (always assumed) is kept as it is.
  const keep = ((config && config.equipment) || []).filter((x) => x === 'none' || x === 'chair');
  const patch = {
    sensitivity: $('set-sensitivity').value,
    onset_delay_s: Number($('set-onset').value),
    cooldown_s: Number($('set-cooldown').value) * 60,
    quiet_hours: qf && qt ? qf + '-' + qt : '',
    equipment: keep.concat([...$('set-equipment').querySelectorAll('input:checked')].map((c) => c.value)),
    desk_only: $('set-desk-only').checked,
  };
  if (!cameraFixed) patch.camera = $('set-camera').value;
  for (const key of held.keys()) delete patch[key];
  try {
    config = await api('PATCH', '/api/config', patch);
    if (!$('set-desktop').disabled && !held.has('desktop_notifications')) await post('/api/notifications', { desktop: $('set-desktop').checked });
    $('settings-msg').textContent = 'Saved.';
    await loadCameras();
  } catch (err) { $('settings-msg').textContent = err.message; }
}

export function initSettings() {
  $('settings-form').addEventListener('submit', save);
}
