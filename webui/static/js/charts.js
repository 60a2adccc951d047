// The charts, drawn on canvas in the theme's colours (read from style.css
// at each draw). Each canvas is sized to its CSS box times the screen's
// devicePixelRatio at every draw, and redrawn when its box or the ratio
// changes (watchSize), so it stays crisp at any width and zoom. Each chart
// notes what it drew in data-bars (and data-labels) for tests and tools, and
// keeps a hit test for its tooltip (attachTip).
import { $, cssVar } from './dom.js';
import { fmtTime } from './format.js';

const FONT = '11px system-ui, sans-serif';

// sized fits the canvas's pixels to its CSS size on this screen and
// returns a context that draws in CSS pixels.
function sized(c, cssH) {
  const dpr = window.devicePixelRatio || 1;
  if (cssH) c.style.height = cssH + 'px';
  const w = c.clientWidth || 560, h = cssH || c.clientHeight || 200;
  c.width = Math.round(w * dpr);
  c.height = Math.round(h * dpr);
  c.dataset.dpr = String(dpr);
  const g = c.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  g.font = FONT;
  return { g, w, h };
}

// watchSize calls redraw when the canvas's CSS width or the screen's pixel
// ratio changes (a resized window, a zoom, a move to another screen).
export function watchSize(c, redraw) {
  let lastW = c.clientWidth, lastDpr = window.devicePixelRatio || 1;
  const check = () => {
    const w = c.clientWidth, dpr = window.devicePixelRatio || 1;
    if (w === lastW && dpr === lastDpr) return;
    lastW = w; lastDpr = dpr;
    if (w > 0) redraw();
  };
  if (window.ResizeObserver) new ResizeObserver(check).observe(c);
  window.addEventListener('resize', check);
  const watchDpr = () => {
    if (!window.matchMedia) return;
    const mq = window.matchMedia('(resolution: ' + (window.devicePixelRatio || 1) + 'dppx)');
    const once = () => { mq.removeEventListener('change', once); check(); watchDpr(); };
    if (mq.addEventListener) mq.addEventListener('change', once);
  };
  watchDpr();
}

// attachTip shows the text of c._tip(x, y) (CSS pixels in the canvas) in the
// page's one tooltip while the pointer is over the canvas.
export function attachTip(c) {
  const tip = $('chart-tip');
  const move = (e) => {
    const r = c.getBoundingClientRect();
    const text = c._tip ? c._tip(e.clientX - r.left, e.clientY - r.top) : '';
    if (!text) { tip.hidden = true; return; }
    tip.textContent = text;
    tip.hidden = false;
    const tw = tip.offsetWidth, th = tip.offsetHeight;
    let x = e.clientX + 12, y = e.clientY - th - 10;
    if (x + tw > window.innerWidth - 4) x = e.clientX - tw - 12;
    if (y < 4) y = e.clientY + 16;
    tip.style.left = x + 'px';
    tip.style.top = y + 'px';
  };
  c.addEventListener('mousemove', move);
  c.addEventListener('mouseleave', () => { tip.hidden = true; });
}

function shareColour(share) {
  return share >= 0.75 ? cssVar('--good') : share >= 0.5 ? cssVar('--warn') : cssVar('--bad');
}

function pct(b) { return b.present_s > 0 ? Math.round(100 * Math.min(1, b.good_s / b.present_s)) : 0; }

function mins(s) { return (s / 60).toFixed(s < 600 ? 1 : 0) + ' min'; }

const sameDay = (a, b) => a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();

// drawShareChart: one bar per bucket, the share of the present time in
// good posture, with the nudges (count) and the stretch breaks done (dot)
// above it; emptyText, alone and centred, when there is no bar.
export function drawShareChart(c, buckets, by, emptyText) {
  const { g, w: cssW, h: cssH } = sized(c);
  const padL = 34, padB = 22, padT = 8, padR = 6;
  const w = cssW - padL - padR, h = cssH - padT - padB;
  const drawn = buckets.filter((b) => b.present_s > 0).length;
  c.dataset.bars = String(drawn);
  c.dataset.rendered = 'true';
  if (!drawn) {
    c._tip = null;
    g.fillStyle = cssVar('--muted');
    g.font = '13px system-ui, sans-serif';
    g.textAlign = 'center';
    g.fillText(emptyText || 'No data for this period yet.', cssW / 2, cssH / 2 + 4);
    c.dataset.labels = '[]';
    return;
  }
  g.fillStyle = cssVar('--muted');
  g.strokeStyle = cssVar('--line');
  g.lineWidth = 1;
  for (const p of [0, 50, 100]) {
    const y = Math.round(padT + h - (p / 100) * h) + 0.5;
    g.beginPath(); g.moveTo(padL, y); g.lineTo(padL + w, y); g.stroke();
    g.fillText(p + '%', 2, y + 4);
  }
  const bw = buckets.length ? w / buckets.length : 0;
  const today = new Date();
  const labels = [];
  buckets.forEach((b, i) => {
    const x = padL + i * bw;
    if (b.present_s > 0) {
      const share = Math.min(1, b.good_s / b.present_s);
      g.fillStyle = shareColour(share);
      const bh = Math.max(2, share * h);
      g.fillRect(x + bw * 0.15, padT + h - bh, bw * 0.7, bh);
    }
    if (b.nudges > 0) {
      g.fillStyle = cssVar('--warn');
      g.fillText(String(b.nudges), x + bw * 0.5 - 3, padT + 10);
    }
    if (b.breaks_done > 0) {
      g.fillStyle = cssVar('--good');
      g.beginPath(); g.arc(x + bw * 0.5, padT + 18, 3, 0, Math.PI * 2); g.fill();
    }
    const d = new Date(b.start);
    const isToday = by === 'day' && sameDay(d, today);
    const every = by === 'hour' ? (bw < 18 ? 3 : 2) : (bw < 34 ? 2 : 1);
    // today is always labelled, and its neighbour left out so they do not collide
    if (isToday || (i % every === 0 && !(by === 'day' && i === buckets.length - 2 && every > 1))) {
      const text = isToday ? 'Today' : by === 'hour' ? String(d.getHours()).padStart(2, '0') : (d.getDate() + '/' + (d.getMonth() + 1));
      g.fillStyle = isToday ? cssVar('--fg') : cssVar('--muted');
      g.font = isToday ? 'bold ' + FONT : FONT;
      g.textAlign = 'center';
      g.fillText(text, x + bw / 2, cssH - 6);
      g.textAlign = 'start';
      g.font = FONT;
      labels.push(text);
    }
  });
  c.dataset.labels = JSON.stringify(labels);
  c._tip = (x) => {
    const i = Math.floor((x - padL) / bw);
    const b = buckets[i];
    if (!b) return '';
    const d = new Date(b.start);
    const when = by === 'hour' ? fmtTime(d) + '–' + fmtTime(new Date(d.getTime() + 3600000))
      : (sameDay(d, today) ? 'Today' : d.toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short' }));
    if (!(b.present_s > 0)) return when + '\nnot at the desk';
    return when + '\n' + pct(b) + '% good (' + mins(b.good_s) + ' of ' + mins(b.present_s) + ')' +
      (b.nudges ? '\n' + b.nudges + (b.nudges === 1 ? ' nudge' : ' nudges') : '') +
      (b.breaks_done ? '\n' + b.breaks_done + ' stretch break' + (b.breaks_done === 1 ? '' : 's') + ' done' : '');
  };
}

// drawBarChart: horizontal bars, rows = [{label, value, text}], longest
// first as given; emptyText when there is no row.
export function drawBarChart(c, rows, emptyText) {
  const rowH = 24, labelW = 150;
  const { g, w } = sized(c, Math.max(40, rows.length * rowH + 6));
  c.dataset.bars = String(rows.length);
  c.dataset.labels = JSON.stringify(rows.map((r) => r.label));
  c._tip = (x, y) => { const r = rows[Math.floor((y - 4) / rowH)]; return r ? r.label + ': ' + r.text : ''; };
  if (!rows.length) {
    g.fillStyle = cssVar('--muted');
    g.font = '12px system-ui, sans-serif';
    g.fillText(emptyText, 4, 24);
    return;
  }
  const max = Math.max(...rows.map((r) => r.value));
  g.font = '12px system-ui, sans-serif';
  rows.forEach((r, i) => {
    const y = 4 + i * rowH;
    g.fillStyle = cssVar('--fg');
    g.fillText(r.label, 0, y + 14, labelW - 6);
    const bw = Math.max(2, (w - labelW - 70) * r.value / max);
    g.fillStyle = cssVar('--bad');
    g.beginPath();
    if (g.roundRect) g.roundRect(labelW, y + 3, bw, 14, 3); else g.rect(labelW, y + 3, bw, 14);
    g.fill();
    g.fillStyle = cssVar('--muted');
    g.fillText(r.text, labelW + bw + 6, y + 14);
  });
}

// minuteText describes one minute of the timeline.
export function minuteText(m, label) {
  const when = fmtTime(new Date(m.start));
  if (!(m.present_s > 0)) return when + ': away';
  const faults = Object.entries(m.fault_s || {}).filter(([, s]) => s >= 1).map(([f, s]) => label(f) + ' ' + Math.round(s) + ' s');
  return when + ': good ' + Math.round(m.good_s) + ' s of ' + Math.round(m.present_s) + ' s' +
    (faults.length ? '; ' + faults.join(', ') : '') + (m.nudges ? '; ' + m.nudges + (m.nudges === 1 ? ' nudge' : ' nudges') : '');
}

// drawTimeline: the day minute by minute, from the first hour with someone
// present (at least the last four hours) to now; each minute a slice
// coloured by its share of good time, grey where nobody was there, with
// hour ticks. cursor, when set, marks the minute read out by the keyboard.
export function drawTimeline(c, minutes, now, cursor, label) {
  const { g, w, h } = sized(c);
  const end = Math.ceil(now / 3600000) * 3600000;
  let first = end - 4 * 3600000;
  for (const m of minutes) if (m.present_s > 0) { first = Math.min(first, Math.floor(Date.parse(m.start) / 3600000) * 3600000); break; }
  const span = end - first;
  const x = (t) => ((t - first) / span) * w;
  const barT = 2, barH = h - 16;
  g.fillStyle = cssVar('--chip');
  g.fillRect(0, barT, x(now), barH);
  let drawn = 0;
  for (const m of minutes) {
    const t = Date.parse(m.start);
    if (t < first || !(m.present_s > 0)) continue;
    const share = Math.min(1, m.good_s / m.present_s);
    g.fillStyle = shareColour(share);
    g.fillRect(x(t), barT, Math.max(1, x(t + 60000) - x(t)), barH);
    drawn++;
  }
  g.fillStyle = cssVar('--muted');
  g.strokeStyle = cssVar('--line');
  g.textAlign = 'center';
  for (let t = first; t <= end; t += 3600000) {
    const xx = Math.round(x(t)) + 0.5;
    g.beginPath(); g.moveTo(xx, barT + barH); g.lineTo(xx, barT + barH + 3); g.stroke();
    const hours = span / 3600000;
    const step = w / hours < 34 ? 2 : 1;
    if (((t - first) / 3600000) % step === 0) {
      g.fillText(String(new Date(t).getHours()).padStart(2, '0'), Math.min(Math.max(xx, 8), w - 8), h - 2);
    }
  }
  g.textAlign = 'start';
  g.fillStyle = cssVar('--fg');
  g.fillRect(Math.min(x(now), w - 2), 0, 2, barT + barH); // now
  if (cursor) {
    g.strokeStyle = cssVar('--focus');
    g.lineWidth = 2;
    const cx = x(Date.parse(cursor.start));
    g.strokeRect(cx - 1, 1, Math.max(3, x(60000 + first) + 2), barH + 2);
  }
  c.dataset.bars = String(drawn);
  c.dataset.rendered = 'true';
  c._tip = (px) => {
    const t = first + (px / w) * span;
    if (t > now) return '';
    const start = Math.floor(t / 60000) * 60000;
    const m = minutes.find((mm) => Date.parse(mm.start) === start);
    return m ? minuteText(m, label) : fmtTime(new Date(start)) + ': away';
  };
  return { first, end };
}
