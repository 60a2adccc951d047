// The camera preview: off by default; while on, the server sends JPEG
// frames with keypoints and the skeleton is drawn over them.
import { $ } from './dom.js';

const SKELETON = [['left_ear', 'left_eye'], ['left_eye', 'nose'], ['nose', 'right_eye'], ['right_eye', 'right_ear'],
  ['left_shoulder', 'right_shoulder'], ['left_shoulder', 'left_elbow'], ['left_elbow', 'left_wrist'],
  ['right_shoulder', 'right_elbow'], ['right_elbow', 'right_wrist'], ['left_shoulder', 'left_hip'],
  ['right_shoulder', 'right_hip'], ['left_hip', 'right_hip'], ['left_ear', 'left_shoulder'], ['right_ear', 'right_shoulder']];

let on = false;
let busy = false;

// initPreview wires the button; socket.setPreview tells the server.
export function initPreview(socket) {
  $('preview-btn').addEventListener('click', () => {
    on = !on;
    $('preview-btn').setAttribute('aria-pressed', String(on));
    $('preview-btn').textContent = on ? 'Hide camera preview' : 'Show camera preview';
    $('preview-canvas').hidden = !on;
    socket.setPreview(on);
  });
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
    g.drawImage(img, 0, 0, w, h);
    const kp = {};
    for (const k of p.keypoints || []) if (k.score >= 0.3) kp[k.name] = k;
    g.lineWidth = Math.max(2, w / 240);
    g.strokeStyle = '#36e07a';
    for (const [a, b] of SKELETON) {
      if (!kp[a] || !kp[b]) continue;
      g.beginPath(); g.moveTo(kp[a].x, kp[a].y); g.lineTo(kp[b].x, kp[b].y); g.stroke();
    }
    g.fillStyle = '#ffd23f';
    for (const k of Object.values(kp)) { g.beginPath(); g.arc(k.x, k.y, g.lineWidth * 1.6, 0, Math.PI * 2); g.fill(); }
    busy = false;
  };
  img.onerror = () => { busy = false; };
  img.src = 'data:image/jpeg;base64,' + p.jpeg;
}
