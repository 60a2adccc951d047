// The live framing hints under the Now card: when the shoulders sit at the
// picture's bottom edge (the server's rule, from the vocabulary) on most of
// the latest samples that measured them, or a bright light behind the user
// darkened the face on most of the latest samples with someone judged, say
// how to do better. The first-run guide and a calibration say it once; this
// keeps saying it to someone who skipped both, and goes when it is fixed.
import { $ } from './dom.js';
import { framingRule } from './vocab.js';

// The latest samples kept, and how many it takes to speak: about 10–20 s of
// samples, so one stray frame neither shows nor hides a hint.
const WINDOW = 20;
const ENOUGH = 10;

let heights = [];
let backlit = [];

function keep(list, v) {
  list.push(v);
  if (list.length > WINDOW) list.shift();
}

// onFramingSample takes one live sample (or a bare observation).
export function onFramingSample(s) {
  const h = s && s.metrics ? s.metrics.shoulder_height : undefined;
  if (typeof h === 'number' && Number.isFinite(h)) keep(heights, h);
  if (s && (s.posture === 'good' || s.posture === 'bad')) keep(backlit, !!s.backlit);
  renderFraming();
}

// forgetFraming drops what the last connection's samples said (another
// camera or a restarted server may frame differently).
export function forgetFraming() {
  heights = [];
  backlit = [];
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
  const dark = !!fr && backlit.length >= ENOUGH && 2 * backlit.filter(Boolean).length > backlit.length;
  const advice = [low ? fr.low_advice : '', dark ? fr.backlit_advice : ''].filter(Boolean);
  el.hidden = advice.length === 0;
  el.textContent = advice.join(' ');
}
