// The live framing hint under the Now card: when the shoulders sit at the
// picture's bottom edge (the server's rule, from the vocabulary) on most of
// the latest samples that measured them, say how to frame better. The
// first-run guide and a calibration say it once; this keeps saying it to
// someone who skipped both, and goes when the framing is fixed.
import { $ } from './dom.js';
import { framingRule } from './vocab.js';

// The latest shoulder heights kept, and how many it takes to speak: about
// 10–20 s of samples, so one stray frame neither shows nor hides it.
const WINDOW = 20;
const ENOUGH = 10;

let heights = [];

// onFramingSample takes one live sample (or a bare observation).
export function onFramingSample(s) {
  const h = s && s.metrics ? s.metrics.shoulder_height : undefined;
  if (typeof h === 'number' && Number.isFinite(h)) {
    heights.push(h);
    if (heights.length > WINDOW) heights.shift();
  }
  renderFraming();
}

// forgetFraming drops what the last connection's samples said (another
// camera or a restarted server may frame differently).
export function forgetFraming() {
  heights = [];
  renderFraming();
}

function median(v) {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function renderFraming() {
  const el = $('framing-hint');
  if (!el) return;
  const fr = framingRule();
  const low = !!fr && heights.length >= ENOUGH && median(heights) > fr.shoulders_low;
  el.hidden = !low;
  el.textContent = low ? fr.low_advice : '';
}
