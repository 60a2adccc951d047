// Toasts on the page and, while the tab is hidden, browser notifications.
import { $ } from './dom.js';

let toastTimer = null;

export function toast(title, body, kind) {
  $('toast-title').textContent = title;
  $('toast-body').textContent = body || '';
  $('toast').dataset.kind = kind || 'info';
  $('toast').hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { $('toast').hidden = true; }, 12000);
}

export function browserNotify(title, body) {
  if (!('Notification' in window) || Notification.permission !== 'granted' || !document.hidden) return;
  try { new Notification(title, { body, tag: 'posturewatch' }); } catch (_) { /* some browsers need a service worker */ }
}

function updateNotifyButton() {
  const b = $('notify-permission');
  if (!('Notification' in window)) { b.disabled = true; b.textContent = 'Browser notifications unsupported'; return; }
  if (Notification.permission === 'granted') { b.disabled = true; b.textContent = 'Browser notifications allowed'; }
  else if (Notification.permission === 'denied') { b.disabled = true; b.textContent = 'Browser notifications blocked'; }
}

export function initNotify() {
  $('toast-close').addEventListener('click', () => { $('toast').hidden = true; });
  $('notify-permission').addEventListener('click', async () => {
    if ('Notification' in window) { try { await Notification.requestPermission(); } catch (_) { /* ignore */ } }
    updateNotifyButton();
  });
  updateNotifyButton();
}
