// Toasts on the page and, while the tab is hidden, browser notifications.
//
// One toast at a time: a new one replaces the old, and it stays until it is
// acted on, closed, or replaced (it never hides itself unseen). It sits in
// the page's flow under the header, so it covers nothing. A toast can carry
// actions (snooze, fixed it, stretch now); the browser notification offers
// the same where the browser supports notification actions (those of a
// service worker), else it is plain and a click brings the tab forward.
import { $, el } from './dom.js';

let current = null; // {actions, kind}
let returnTo = null; // where the focus was before it went into the toast
let lastOutside = null; // the last element focused outside the toast
let sw = null; // the service worker registration, when there is one
const handlers = new Map(); // action id → fn(data), for notification clicks

// toast shows title and body; actions are [{id, label, run}] buttons.
export function toast(title, body, kind, actions) {
  const t = $('toast');
  $('toast-title').textContent = title;
  $('toast-body').textContent = body || '';
  t.dataset.kind = kind || 'info';
  const box = $('toast-actions');
  box.replaceChildren();
  for (const a of actions || []) {
    box.append(el('button', { type: 'button', 'data-action': a.id, text: a.label,
      onclick: () => { hideToast(); a.run(); } }));
  }
  current = { kind, actions: actions || [] };
  t.hidden = false;
}

// hideToast closes the toast; focus inside it goes back where it came from.
export function hideToast() {
  const t = $('toast');
  const hadFocus = t.contains(document.activeElement);
  t.hidden = true;
  current = null;
  if (hadFocus) {
    const to = returnTo && document.contains(returnTo) && returnTo.getClientRects().length ? returnTo : $('main');
    if (to === $('main')) to.setAttribute('tabindex', '-1');
    to.focus();
  }
  returnTo = null;
}

// onNotificationAction registers what an action of a notification does.
export function onNotificationAction(id, fn) { handlers.set(id, fn); }

// browserNotify shows a notification while the tab is hidden; actions as
// for toast (their run is found by id when clicked), data goes with them.
export function browserNotify(title, body, actions, data) {
  if (!('Notification' in window) || Notification.permission !== 'granted' || !document.hidden) return;
  const acts = (actions || []).map((a) => ({ action: a.id, title: a.label }));
  if (sw && acts.length && (Notification.maxActions || 0) > 0) {
    sw.showNotification(title, { body, tag: 'posturewatch', actions: acts.slice(0, Notification.maxActions), data: data || null })
      .catch(() => plain(title, body));
    return;
  }
  plain(title, body);
}

function plain(title, body) {
  try {
    const n = new Notification(title, { body, tag: 'posturewatch' });
    n.onclick = () => { window.focus(); n.close(); };
  } catch (_) { /* some browsers allow only service-worker notifications */ }
}

function updateNotifyButton() {
  const b = $('notify-permission');
  if (!b) return;
  if (!('Notification' in window)) { b.disabled = true; b.textContent = 'Browser notifications unsupported'; return; }
  if (Notification.permission === 'granted') { b.disabled = true; b.textContent = 'Browser notifications allowed'; }
  else if (Notification.permission === 'denied') { b.disabled = true; b.textContent = 'Browser notifications blocked'; }
}

// notificationAction runs what a notification's action asks (also used by tests).
export function notificationAction(msg) {
  if (!msg || msg.type !== 'notification-action') return;
  window.focus();
  const fn = handlers.get(msg.action);
  if (fn) fn(msg.data);
}

export function initNotify() {
  $('toast-close').addEventListener('click', hideToast);
  document.addEventListener('focusin', (e) => {
    if ($('toast').contains(e.target)) { if (!returnTo) returnTo = lastOutside; } else lastOutside = e.target;
  });
  $('toast').addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.stopPropagation(); hideToast(); } });
  $('notify-permission').addEventListener('click', async () => {
    if ('Notification' in window) { try { await Notification.requestPermission(); } catch (_) { /* ignore */ } }
    updateNotifyButton();
  });
  updateNotifyButton();
  if ('serviceWorker' in navigator && window.isSecureContext) {
    navigator.serviceWorker.register('/static/sw.js', { scope: '/static/' })
      .then((r) => { sw = r; })
      .catch(() => { /* plain notifications then */ });
    navigator.serviceWorker.addEventListener('message', (e) => notificationAction(e.data));
    if (navigator.serviceWorker.startMessages) navigator.serviceWorker.startMessages();
  }
}

// toastShown: what the toast shows now (null when hidden).
export function toastShown() { return current; }
