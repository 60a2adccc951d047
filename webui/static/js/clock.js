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
