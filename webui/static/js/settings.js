// The Settings form: coach settings (PATCH /api/config, validated by the
// server) and the server's desktop notifications.
import { $ } from './dom.js';
import { api, get, post } from './api.js';

let config = null;

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
  try {
    const n = await get('/api/notifications');
    $('set-desktop').checked = !!n.desktop;
    $('set-desktop').disabled = !n.available;
  } catch (_) { $('set-desktop').disabled = true; }
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
  try {
    config = await api('PATCH', '/api/config', patch);
    if (!$('set-desktop').disabled) await post('/api/notifications', { desktop: $('set-desktop').checked });
    $('settings-msg').textContent = 'Saved.';
  } catch (err) { $('settings-msg').textContent = err.message; }
}

export function initSettings() {
  $('settings-form').addEventListener('submit', save);
}
