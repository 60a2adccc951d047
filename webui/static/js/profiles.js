// The Profiles card: the stored calibration profiles, to use or delete.
// The list is rebuilt after each change; the keyboard focus then goes back
// to the row acted on (its first button that can take it), or to the list
// when the row is gone, never to the page's body.
import { $, el } from './dom.js';
import { api, get, post } from './api.js';

function say(text) { $('profiles-msg').textContent = text; }

async function act(call, done, name) {
  try { await call(); say(done); } catch (err) { say(err.message); }
  await loadProfiles();
  refocus(name);
}

function refocus(name) {
  const ul = $('profiles-list');
  const row = [...ul.children].find((li) => li.dataset.profile === name);
  const target = row && [...row.querySelectorAll('button')].find((b) => !b.disabled);
  if (target) { target.focus(); return; }
  const first = ul.querySelector('button:not([disabled])');
  if (first) { first.focus(); return; }
  ul.setAttribute('tabindex', '-1');
  ul.focus();
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
    use.addEventListener('click', () => act(() => post(path + '/activate'), 'Now using ' + p.name + '.', p.name));
    const del = el('button', { type: 'button', text: 'Delete', 'aria-label': 'Delete profile ' + p.name });
    del.addEventListener('click', () => {
      if (window.confirm('Delete the profile "' + p.name + '"?')) act(() => api('DELETE', path), 'Deleted ' + p.name + '.', p.name);
      else del.focus();
    });
    li.append(use, del);
    ul.append(li);
  }
}
