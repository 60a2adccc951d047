// The tab's title and icon follow the live state, so a glance at the tab
// strip tells it without opening the page: a coloured dot drawn on a canvas
// (good, being timed, slouching, idle, not connected) and the headline.
const COLOURS = { good: '#1f8a4c', watching: '#e08a00', slouching: '#c23b2b', calibrating: '#2364c8' };
let shown = '';

function icon(kind) {
  const c = document.createElement('canvas');
  c.width = c.height = 32;
  const g = c.getContext('2d');
  g.beginPath();
  g.arc(16, 16, 13, 0, Math.PI * 2);
  g.fillStyle = COLOURS[kind] || '#7b8494';
  g.fill();
  if (kind === 'stale') { // a cross: not live
    g.strokeStyle = '#ffffff';
    g.lineWidth = 4;
    g.beginPath(); g.moveTo(10, 10); g.lineTo(22, 22); g.moveTo(22, 10); g.lineTo(10, 22); g.stroke();
  } else if (kind === 'paused') { // two bars
    g.fillStyle = '#ffffff';
    g.fillRect(10, 9, 4, 14); g.fillRect(18, 9, 4, 14);
  }
  return c.toDataURL('image/png');
}

// showBeacon sets the title and, when the kind changed, the icon.
export function showBeacon(v) {
  const title = v.headline + ' · posturewatch';
  if (document.title !== title) document.title = title;
  if (shown === v.kind) return;
  shown = v.kind;
  const link = document.getElementById('favicon');
  if (!link) return;
  link.href = icon(v.kind);
  link.dataset.state = v.kind;
}
