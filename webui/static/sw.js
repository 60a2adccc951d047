// posturewatch's service worker: it exists only to show notifications with
// action buttons (browsers offer actions only on a service worker's
// notifications). A click on an action, or on the notification, is handed
// to the dashboard's tab, which calls the API with its CSRF token. It
// caches nothing and intercepts no request.
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));

self.addEventListener('notificationclick', (e) => {
  e.notification.close();
  const msg = { type: 'notification-action', action: e.action || 'open', data: e.notification.data || null };
  e.waitUntil((async () => {
    const tabs = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const tab = tabs.find((c) => new URL(c.url).pathname === '/') || tabs[0];
    if (!tab) { await self.clients.openWindow('/'); return; }
    tab.postMessage(msg);
    if (tab.focus) await tab.focus();
  })());
});
