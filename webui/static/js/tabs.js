// The secondary views (history, calibration, settings, profiles, about)
// as WAI-ARIA tabs: one panel at a time under the live state; arrow keys,
// Home and End move between the tabs (roving tabindex), and the choice
// survives a reload (in the URL's #fragment).
import { $ } from './dom.js';

const tabs = () => [...$('views').querySelectorAll('[role="tab"]')];
const listeners = [];

// onTab calls fn(name) when a view is shown ("history", "about"…).
export function onTab(fn) { listeners.push(fn); }

// showTab selects the view; focus moves to the tab when asked.
export function showTab(name, focus) {
  let found = false;
  for (const t of tabs()) {
    const on = t.id === 'tab-' + name;
    found = found || on;
    t.setAttribute('aria-selected', String(on));
    t.tabIndex = on ? 0 : -1;
    $(t.getAttribute('aria-controls')).hidden = !on;
    if (on && focus) t.focus();
  }
  if (!found) return false;
  if (location.hash !== '#' + name) history.replaceState(null, '', '#' + name);
  for (const fn of listeners) fn(name);
  return true;
}

export function initTabs() {
  const list = $('views');
  list.addEventListener('click', (e) => {
    const t = e.target.closest('[role="tab"]');
    if (t) showTab(t.id.slice(4), true);
  });
  list.addEventListener('keydown', (e) => {
    const all = tabs();
    const i = all.indexOf(document.activeElement);
    if (i < 0) return;
    let next = -1;
    if (e.key === 'ArrowRight') next = (i + 1) % all.length;
    else if (e.key === 'ArrowLeft') next = (i - 1 + all.length) % all.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = all.length - 1;
    if (next < 0) return;
    e.preventDefault();
    showTab(all[next].id.slice(4), true);
  });
  const want = location.hash.slice(1);
  if (!want || !showTab(want, false)) showTab('history', false);
}
