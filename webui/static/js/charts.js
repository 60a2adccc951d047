// The history charts, both drawn on canvas in the theme's colours (read
// from style.css at each draw: redraw when light/dark switches). Each chart
// notes what it drew in data-bars (and data-labels) for tests and tools.
import { cssVar } from './dom.js';

const FONT = '11px system-ui, sans-serif';

// sized fits the canvas's pixels to its CSS size on this screen and
// returns a context that draws in CSS pixels.
function sized(c, cssH) {
  const dpr = window.devicePixelRatio || 1;
  if (cssH) c.style.height = cssH + 'px';
  const w = c.clientWidth || 560, h = cssH || c.clientHeight || 200;
  c.width = Math.round(w * dpr);
  c.height = Math.round(h * dpr);
  const g = c.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  g.font = FONT;
  return { g, w, h };
}

function shareColour(share) {
  return share >= 0.75 ? cssVar('--good') : share >= 0.5 ? cssVar('--warn') : cssVar('--bad');
}

// drawShareChart: one bar per bucket, the share of the present time in
// good posture, with the nudges (count) and the stretch breaks done (dot)
// above it; emptyText when there is no bar.
export function drawShareChart(c, buckets, by, emptyText) {
  const { g, w: cssW, h: cssH } = sized(c);
  const padL = 34, padB = 22, padT = 8, padR = 6;
  const w = cssW - padL - padR, h = cssH - padT - padB;
  g.fillStyle = cssVar('--muted');
  g.strokeStyle = cssVar('--line');
  g.lineWidth = 1;
  for (const pct of [0, 50, 100]) {
    const y = padT + h - (pct / 100) * h;
    g.beginPath(); g.moveTo(padL, y + 0.5); g.lineTo(padL + w, y + 0.5); g.stroke();
    g.fillText(pct + '%', 2, y + 4);
  }
  let bars = 0;
  const bw = buckets.length ? w / buckets.length : 0;
  buckets.forEach((b, i) => {
    const x = padL + i * bw;
    if (b.present_s > 0) {
      const share = Math.min(1, b.good_s / b.present_s);
      g.fillStyle = shareColour(share);
      const bh = Math.max(2, share * h);
      g.fillRect(x + bw * 0.15, padT + h - bh, bw * 0.7, bh);
      bars++;
    }
    if (b.nudges > 0) {
      g.fillStyle = cssVar('--warn');
      g.fillText(String(b.nudges), x + bw * 0.5 - 3, padT + 10);
    }
    if (b.breaks_done > 0) {
      g.fillStyle = cssVar('--good');
      g.beginPath(); g.arc(x + bw * 0.5, padT + 18, 3, 0, Math.PI * 2); g.fill();
    }
    const every = by === 'hour' ? 3 : 2;
    if (i % every === 0) {
      const d = new Date(b.start);
      g.fillStyle = cssVar('--muted');
      g.fillText(by === 'hour' ? String(d.getHours()).padStart(2, '0') : (d.getDate() + '/' + (d.getMonth() + 1)), x + 1, cssH - 6);
    }
  });
  if (!bars) {
    g.fillStyle = cssVar('--muted');
    g.fillText(emptyText || 'No data for this period yet.', padL + 8, padT + h / 2);
  }
  c.dataset.bars = String(bars);
  c.dataset.rendered = 'true';
}

// drawBarChart: horizontal bars, rows = [{label, value, text}], longest
// first as given; emptyText when there is no row.
export function drawBarChart(c, rows, emptyText) {
  const rowH = 24, labelW = 150;
  const { g, w } = sized(c, Math.max(40, rows.length * rowH + 6));
  c.dataset.bars = String(rows.length);
  c.dataset.labels = JSON.stringify(rows.map((r) => r.label));
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
