// The camera preview: off by default; while on, the server sends JPEG
// frames with keypoints. It is drawn mirrored, like a selfie camera (the
// picture and everything drawn on it), with the skeleton in green, the
// calibrated outline (the active profile's keypoints, when it has them) in
// blue dashes, and the verdict: what the coach says, and a ring around the
// part of the body the fault is about.
import { $ } from './dom.js';
import { current } from './state.js';
import { faultTitle, faultRegion } from './vocab.js';

const SKELETON = [['left_ear', 'left_eye'], ['left_eye', 'nose'], ['nose', 'right_eye'], ['right_eye', 'right_ear'],
  ['left_shoulder', 'right_shoulder'], ['left_shoulder', 'left_elbow'], ['left_elbow', 'left_wrist'],
  ['right_shoulder', 'right_elbow'], ['right_elbow', 'right_wrist'], ['left_shoulder', 'left_hip'],
  ['right_shoulder', 'right_hip'], ['left_hip', 'right_hip'], ['left_ear', 'left_shoulder'], ['right_ear', 'right_shoulder']];

const NOW_COLOUR = '#36e07a', CALIB_COLOUR = '#7cc4ff';
const VERDICT_COLOUR = { good: '#36e07a', watching: '#ffb020', slouching: '#ff5a4a' };

let on = false;
let busy = false;

// initPreview wires the button; socket.setPreview tells the server.
export function initPreview(socket) {
  $('preview-btn').addEventListener('click', () => {
    on = !on;
    $('preview-btn').setAttribute('aria-pressed', String(on));
    $('preview-btn').textContent = on ? 'Hide camera preview' : 'Show camera preview';
    $('preview-canvas').hidden = !on;
    $('preview-legend').hidden = !on;
    socket.setPreview(on);
  });
}

function points(list) {
  const kp = {};
  for (const k of list || []) if (k.score >= 0.3) kp[k.name] = k;
  return kp;
}

function skeleton(g, kp, colour, dash) {
  g.strokeStyle = colour;
  g.setLineDash(dash || []);
  for (const [a, b] of SKELETON) {
    if (!kp[a] || !kp[b]) continue;
    g.beginPath(); g.moveTo(kp[a].x, kp[a].y); g.lineTo(kp[b].x, kp[b].y); g.stroke();
  }
  g.setLineDash([]);
}

// verdict is what the coach says now: {kind, fault, text}.
function verdict() {
  const v = current();
  if (!v) return null;
  if (v.kind === 'watching') return { kind: 'watching', fault: v.watching.fault, text: faultTitle(v.watching.fault) + ' (being timed)' };
  if (v.kind === 'slouching') return { kind: 'slouching', fault: v.fault, text: v.headline };
  if (v.kind === 'good') return { kind: 'good', fault: '', text: 'Good posture' };
  return { kind: v.kind, fault: '', text: v.headline };
}

// ring circles the part of the body the fault is about (in source pixels).
function ring(g, kp, fault, colour, lw) {
  const head = ['nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear'].map((n) => kp[n]).filter(Boolean);
  const sh = ['left_shoulder', 'right_shoulder'].map((n) => kp[n]).filter(Boolean);
  const region = faultRegion(fault); // from the server's vocabulary
  const use = region === 'head' ? head : region === 'shoulders' ? sh : head.concat(sh);
  if (!use.length) return false;
  const xs = use.map((k) => k.x), ys = use.map((k) => k.y);
  const cx = (Math.min(...xs) + Math.max(...xs)) / 2, cy = (Math.min(...ys) + Math.max(...ys)) / 2;
  const r = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys), lw * 20) / 2 + lw * 6;
  g.strokeStyle = colour;
  g.lineWidth = lw * 1.5;
  g.beginPath();
  g.ellipse(cx, cy, r, region === 'head' ? r : r * 0.6, 0, 0, Math.PI * 2);
  g.stroke();
  return true;
}

export function drawPreview(p) {
  if (!on || busy || !p || !p.jpeg) return;
  busy = true;
  const img = new Image();
  img.onload = () => {
    const c = $('preview-canvas');
    const w = p.width || img.naturalWidth, h = p.height || img.naturalHeight;
    if (c.width !== w || c.height !== h) { c.width = w; c.height = h; }
    const g = c.getContext('2d');
    g.save();
    // mirror: x → w − x for the picture and every drawing on it
    g.setTransform(-1, 0, 0, 1, w, 0);
    g.drawImage(img, 0, 0, w, h);
    const lw = Math.max(2, w / 240);
    g.lineWidth = lw;
    const outline = points(p.outline);
    if (Object.keys(outline).length) skeleton(g, outline, CALIB_COLOUR, [lw * 3, lw * 2]);
    const kp = points(p.keypoints);
    skeleton(g, kp, NOW_COLOUR);
    g.fillStyle = '#ffd23f';
    for (const k of Object.values(kp)) { g.beginPath(); g.arc(k.x, k.y, lw * 1.6, 0, Math.PI * 2); g.fill(); }
    const vd = verdict();
    let ringed = false;
    if (vd && vd.fault) ringed = ring(g, kp, vd.fault, VERDICT_COLOUR[vd.kind], lw);
    g.restore();
    // the words are drawn unmirrored, so they read
    if (vd) {
      const size = Math.max(12, Math.round(w / 26));
      g.font = 'bold ' + size + 'px system-ui, sans-serif';
      const tw = g.measureText(vd.text).width;
      g.fillStyle = 'rgba(0,0,0,.65)';
      g.fillRect(8, 8, tw + size, size * 1.7);
      g.fillStyle = VERDICT_COLOUR[vd.kind] || '#ffffff';
      g.fillText(vd.text, 8 + size / 2, 8 + size * 1.2);
    }
    c.dataset.verdict = vd ? vd.kind + (vd.fault ? ':' + vd.fault : '') : '';
    c.dataset.ringed = String(ringed);
    c.dataset.outline = String(Object.keys(outline).length);
    c.dataset.mirrored = 'true';
    $('preview-outline-note').textContent = Object.keys(outline).length ? 'calibrated posture'
      : 'calibrated posture (this profile has no outline: calibrate again to see it)';
    busy = false;
  };
  img.onerror = () => { busy = false; };
  img.src = 'data:image/jpeg;base64,' + p.jpeg;
}
