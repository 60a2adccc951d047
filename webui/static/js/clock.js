// One clock for the page: the server's. Every sample and status says the
// instant it describes (on the coach's clock); between them the page counts
// on from the last one with the browser's monotonic timer, so the state's
// "for", the streak, the totals and a pause's countdown all agree. While the
// connection is down the clock stops: nothing counts on a stale page.

let base = null; // {server: ms, local: performance.now() at that moment}
let running = false;

// syncClock takes an RFC 3339 instant from the server.
export function syncClock(iso) {
  const t = Date.parse(iso);
  if (isNaN(t) || t <= 0) return;
  base = { server: t, local: performance.now() };
}

// setClockRunning: false while disconnected (serverNow stays where it was).
export function setClockRunning(on) {
  if (base && running && !on) base = { server: serverNow(), local: performance.now() };
  if (base && !running && on) base = { server: base.server, local: performance.now() };
  running = on;
}

// serverNow: the server's time now, in ms (the browser's before the first sync).
export function serverNow() {
  if (!base) return Date.now();
  return running ? base.server + (performance.now() - base.local) : base.server;
}


// The clock of the timed panels (the stretch player, the calibration
// countdowns): real time, or the one a test installs as window.__pwClock
// before the page loads ({now(), every(ms, fn) → id, cancel(id)}), so a
// browser test can move time on without waiting for it.
const real = {
  now: () => Date.now(),
  every: (ms, fn) => setInterval(fn, ms),
  cancel: (id) => clearInterval(id),
};

export const clock = (typeof window !== 'undefined' && window.__pwClock) || real;
