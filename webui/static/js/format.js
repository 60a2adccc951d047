// Plain-words formatting of durations, clock times and counts. Clock times
// use the user's locale, one way everywhere (the page, the pause menu).

// fmtDur: 42 → "42 s", 600 → "10 min", 5400 → "1 h 30 min".
export function fmtDur(s) {
  s = Math.max(0, Math.floor(s || 0));
  if (s < 60) return s + ' s';
  const m = Math.floor(s / 60);
  if (m < 60) return m + ' min';
  const h = Math.floor(m / 60), r = m % 60;
  return r ? h + ' h ' + r + ' min' : h + ' h';
}

// fmtAbout: an estimate to the nearest unit, for "about 5 min" (a routine
// of 4 min 40 s). fmtDur cuts down instead: an elapsed time must never run
// ahead of the timers beside it.
export function fmtAbout(s) {
  s = Math.max(0, s || 0);
  if (Math.round(s) < 60) return Math.round(s) + ' s';
  return fmtDur(Math.round(s / 60) * 60);
}

// fmtClock: a countdown as m:ss (h:mm:ss from an hour).
export function fmtClock(s) {
  s = Math.max(0, Math.ceil(s));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = String(s % 60).padStart(2, '0');
  return h ? h + ':' + String(m).padStart(2, '0') + ':' + sec : m + ':' + sec;
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });

// fmtTime: an RFC 3339 time, a Date or ms as the local clock time ("10:00 PM"
// or "22:00", as the user's locale writes it).
export function fmtTime(t) {
  const d = t instanceof Date ? t : new Date(t);
  if (isNaN(d)) return '';
  return timeFmt.format(d);
}

// fmtWhen: fmtTime, with "tomorrow" or the weekday when not today.
export function fmtWhen(t, now) {
  const d = t instanceof Date ? t : new Date(t);
  if (isNaN(d)) return '';
  const n = new Date(now === undefined ? Date.now() : now);
  const day = (x) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const diff = Math.round((day(d) - day(n)) / 86400000);
  if (diff === 0) return fmtTime(d);
  if (diff === 1) return 'tomorrow ' + fmtTime(d);
  return d.toLocaleDateString(undefined, { weekday: 'long' }) + ' ' + fmtTime(d);
}

// plural(2, 'nudge') → "2 nudges".
export function plural(n, word) {
  return n + ' ' + word + (n === 1 ? '' : 's');
}

export function capitalize(s) {
  s = String(s || '');
  return s.charAt(0).toUpperCase() + s.slice(1);
}
