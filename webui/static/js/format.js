// Plain-words formatting of durations, clock times and counts.

// fmtDur: 42 → "42 s", 600 → "10 min", 5400 → "1 h 30 min".
export function fmtDur(s) {
  s = Math.max(0, Math.round(s || 0));
  if (s < 60) return s + ' s';
  const m = Math.round(s / 60);
  if (m < 60) return m + ' min';
  const h = Math.floor(m / 60), r = m % 60;
  return r ? h + ' h ' + r + ' min' : h + ' h';
}

// fmtClock: a countdown as m:ss.
export function fmtClock(s) {
  s = Math.max(0, Math.ceil(s));
  return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
}

// fmtTime: an RFC 3339 time as the local hh:mm.
export function fmtTime(iso) {
  const d = new Date(iso);
  if (isNaN(d)) return '';
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

// plural(2, 'nudge') → "2 nudges".
export function plural(n, word) {
  return n + ' ' + word + (n === 1 ? '' : 's');
}

export function capitalize(s) {
  s = String(s || '');
  return s.charAt(0).toUpperCase() + s.slice(1);
}
