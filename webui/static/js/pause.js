// The Pause menu and the Resume button. Both calls answer with the new
// Status, which the live-state view shows.
import { $ } from './dom.js';
import { post } from './api.js';
import { toast } from './notify.js';
import { setStatus } from './state.js';

function closeMenu() {
  $('pause-menu').hidden = true;
  $('pause-btn').setAttribute('aria-expanded', 'false');
}

async function pause(body) {
  closeMenu();
  try {
    setStatus(await post('/api/pause', body));
  } catch (err) { toast('Could not pause', err.message, 'error'); }
}

// tomorrow8 is tomorrow at 8:00 local time, as RFC 3339.
function tomorrow8() {
  const t = new Date();
  t.setDate(t.getDate() + 1);
  t.setHours(8, 0, 0, 0);
  return t.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function initPause() {
  $('pause-btn').addEventListener('click', () => {
    const open = $('pause-menu').hidden;
    $('pause-menu').hidden = !open;
    $('pause-btn').setAttribute('aria-expanded', String(open));
    if (open) $('pause-15').focus();
  });
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape') closeMenu(); });
  $('pause-15').addEventListener('click', () => pause({ minutes: 15 }));
  $('pause-60').addEventListener('click', () => pause({ minutes: 60 }));
  $('pause-tomorrow').addEventListener('click', () => pause({ until: tomorrow8() }));
  $('resume-btn').addEventListener('click', async () => {
    try {
      setStatus(await post('/api/resume'));
    } catch (err) { toast('Could not resume', err.message, 'error'); }
  });
}
