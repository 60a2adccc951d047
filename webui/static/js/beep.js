// The optional audio countdown: short WebAudio beeps (no sound files), off
// until the user turns them on; the choice is remembered in this browser.
const KEY = 'posturewatch.beeps';
let ctx = null;

export function beepsOn() {
  try { return localStorage.getItem(KEY) === 'on'; } catch (_) { return false; }
}

export function setBeeps(on) {
  try { localStorage.setItem(KEY, on ? 'on' : 'off'); } catch (_) { /* private mode: for this page only */ }
  // Browsers start audio only from a user gesture: this is one.
  if (on) audio();
}

function audio() {
  if (!ctx) {
    const AC = window.AudioContext || window.webkitAudioContext;
    if (!AC) return null;
    try { ctx = new AC(); } catch (_) { return null; }
  }
  if (ctx.state === 'suspended') ctx.resume().catch(() => {});
  return ctx;
}

// beep plays one short tone (high: the end of a countdown) when beeps are
// on; it returns whether it played.
export function beep(high) {
  if (!beepsOn()) return false;
  const a = audio();
  if (!a) return false;
  try {
    const o = a.createOscillator(), g = a.createGain(), t = a.currentTime;
    o.frequency.value = high ? 880 : 620;
    g.gain.setValueAtTime(0.18, t);
    g.gain.exponentialRampToValueAtTime(0.001, t + (high ? 0.35 : 0.15));
    o.connect(g);
    g.connect(a.destination);
    o.start(t);
    o.stop(t + 0.4);
    return true;
  } catch (_) { return false; }
}
