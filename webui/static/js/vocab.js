// The server's vocabulary (GET /api/vocabulary): the faults with their
// labels and nudge wording, the state names and the profile-name rule. The
// page keeps no copy of them.
import { get } from './api.js';
import { capitalize } from './format.js';

let vocab = null;
let loading = null;

// loadVocabulary fetches the vocabulary once; a failed fetch is tried again
// on the next call (main.js calls it on every hello).
export function loadVocabulary() {
  if (vocab) return Promise.resolve(vocab);
  if (!loading) {
    loading = get('/api/vocabulary')
      .then((v) => { vocab = v; return v; })
      .finally(() => { loading = null; });
  }
  return loading;
}

export function loaded() { return vocab !== null; }

// faultNames: the fault names in the server's order ([] before loading).
export function faultNames() {
  return vocab ? vocab.faults.map((f) => f.name) : [];
}

function fault(name) {
  return vocab ? vocab.faults.find((f) => f.name === name) : undefined;
}

// faultLabel: "forward head" (lower case, as the server says it).
export function faultLabel(name) {
  const f = fault(name);
  return f ? f.label : String(name || '').replace(/_/g, ' ');
}

// faultTitle: "Forward head", for a chip or a heading.
export function faultTitle(name) { return capitalize(faultLabel(name)); }

// nudgeText: the plain words and the quick fix of a fault's nudge.
export function nudgeText(name) {
  const f = fault(name);
  return f ? f.nudge + ' — ' + f.fix : '';
}

// framingRule: {shoulders_low, low_advice}: the framing the judgement reads
// surely, or null before loading.
export function framingRule() { return vocab ? vocab.framing : null; }

// profileNameRule: {max_chars, max_bytes, rule, check} or null.
export function profileNameRule() { return vocab ? vocab.profile_name : null; }

// faultRegion: where the fault shows on the body ("head", "shoulders", "trunk").
export function faultRegion(name) {
  const f = fault(name);
  return f && f.region ? f.region : 'trunk';
}
