// The Pause menu and the Resume button. Both calls answer with the new
// Status, which the live-state view shows. The menu is a WAI-ARIA menu
// button: arrow keys, Home and End move between its items, Escape and Tab
// close it, and the focus goes back to the button it was opened from. Its
// items name the time the pause ends, written as the rest of the page
// writes times.
import { $ } from './dom.js';
import { post } from './api.js';
import { toast } from './notify.js';
import { setStatus } from './state.js';
import { fmtTime, fmtWhen } from './format.js';
import { serverNow } from './clock.js';

const items = () => [...$('pause-menu').querySelectorAll('[role="menuitem"]')];
const isOpen = () => !$('pause-menu').hidden;

function closeMenu(refocus) {
  if (!isOpen()) return;
  $('pause-menu').hidden = true;
  $('pause-btn').setAttribute('aria-expanded', 'false');
  if (refocus) $('pause-btn').focus();
}

// tomorrow8 is tomorrow at 8:00 local time.
function tomorrow8() {
  const t = new Date(serverNow());
  t.setDate(t.getDate() + 1);
  t.setHours(8, 0, 0, 0);
  return t;
}

function labelItems() {
  const now = serverNow();
  $('pause-15').textContent = '15 minutes (until ' + fmtTime(now + 15 * 60000) + ')';
  $('pause-60').textContent = '1 hour (until ' + fmtTime(now + 60 * 60000) + ')';
  $('pause-tomorrow').textContent = 'Until ' + fmtWhen(tomorrow8(), now);
}

function openMenu(focusLast) {
  labelItems();
  $('pause-menu').hidden = false;
  $('pause-btn').setAttribute('aria-expanded', 'true');
  const list = items();
  list[focusLast ? list.length - 1 : 0].focus();
}

async function pause(body) {
  closeMenu(true);
  try {
    setStatus(await post('/api/pause', body));
  } catch (err) { toast('Could not pause', err.message, 'error'); }
  // the button is hidden while paused: the focus goes to Resume
  if (!$('resume-btn').hidden) $('resume-btn').focus();
}

function onMenuKey(e) {
  const list = items();
  const i = list.indexOf(document.activeElement);
  let next = -1;
  switch (e.key) {
    case 'ArrowDown': next = (i + 1) % list.length; break;
    case 'ArrowUp': next = (i - 1 + list.length) % list.length; break;
    case 'Home': next = 0; break;
    case 'End': next = list.length - 1; break;
    case 'Escape': e.preventDefault(); e.stopPropagation(); closeMenu(true); return;
    case 'Tab': closeMenu(false); return;
    default: return;
  }
  e.preventDefault();
  list[next].focus();
}

export function initPause() {
  $('pause-btn').addEventListener('click', () => { if (isOpen()) closeMenu(true); else openMenu(false); });
  $('pause-btn').addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') { e.preventDefault(); openMenu(e.key === 'ArrowUp'); }
  });
  $('pause-menu').addEventListener('keydown', onMenuKey);
  document.addEventListener('click', (e) => {
    if (isOpen() && !$('pause-menu').contains(e.target) && e.target !== $('pause-btn')) closeMenu(false);
  });
  $('pause-15').addEventListener('click', () => pause({ minutes: 15 }));
  $('pause-60').addEventListener('click', () => pause({ minutes: 60 }));
  $('pause-tomorrow').addEventListener('click', () => pause({ until: tomorrow8().toISOString().replace(/\.\d{3}Z$/, 'Z') }));
  $('resume-btn').addEventListener('click', async () => {
    try {
      setStatus(await post('/api/resume'));
    } catch (err) { toast('Could not resume', err.message, 'error'); }
    if (!$('pause-btn').hidden) $('pause-btn').focus();
  });
}
