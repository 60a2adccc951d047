// The Profiles card: the stored calibration profiles, to use or delete.
import { $, el } from './dom.js';
import { api, get, post } from './api.js';

function say(text) { $('profiles-msg').textContent = text; }

async function act(call, done) {
  try { await call(); say(done); loadProfiles(); } catch (err) { say(err.message); }
}

export async function loadProfiles() {
  let res;
  try { res = await get('/api/profiles'); } catch (err) { say(err.message); return; }
  const ul = $('profiles-list');
  ul.replaceChildren();
  if (!res.profiles.length) ul.append(el('li', { class: 'muted', text: 'No profiles yet: run a calibration.' }));
  for (const p of res.profiles) {
    const path = '/api/profiles/' + encodeURIComponent(p.name);
    const li = el('li', { 'data-profile': p.name }, el('span', { class: 'name', text: p.name }));
    if (p.active) li.append(el('span', { class: 'badge', text: 'in use' }));
    if (p.problem) li.append(el('span', { class: 'problem', text: 'cannot be used: ' + p.problem }));
    else li.append(el('span', { class: 'muted', text: p.frames + ' frames' }));
    const use = el('button', { type: 'button', text: 'Use', 'aria-label': 'Use profile ' + p.name });
    use.disabled = !!p.active || !!p.problem;
    use.addEventListener('click', () => act(() => post(path + '/activate'), 'Now using ' + p.name + '.'));
    const del = el('button', { type: 'button', text: 'Delete', 'aria-label': 'Delete profile ' + p.name });
    del.addEventListener('click', () => {
      if (window.confirm('Delete the profile "' + p.name + '"?')) act(() => api('DELETE', path), 'Deleted ' + p.name + '.');
    });
    li.append(use, del);
    ul.append(li);
  }
}
