// Small DOM helpers shared by the modules.

export const $ = (id) => document.getElementById(id);

// el('li', {class: 'x', text: 'y', onclick: fn, 'data-a': 'b'}, ...children)
export function el(tag, props, ...kids) {
  const e = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (k === 'text') e.textContent = v;
      else if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
  }
  for (const k of kids) e.append(k);
  return e;
}

// cssVar reads a colour of the current theme (light or dark) from style.css.
export function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}
