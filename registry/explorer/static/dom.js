// Small DOM helpers shared by the views.
export const $ = (selector) => document.querySelector(selector);

export function h(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attributes)) {
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

// Answers can come back out of order (a first load, then the user's pick): only the latest is shown.
const asked = {};
export function ask(view) {
  const ticket = (asked[view] = (asked[view] || 0) + 1);
  return () => asked[view] === ticket;
}

// A record's global ID is base64("Kind:slug"); the kind tells which panel to draw.
export const gid = (kind, slug) => btoa(unescape(encodeURIComponent(`${kind}:${slug}`)));
export function kindOf(id) {
  try { return atob(id).split(":", 1)[0]; } catch { return ""; }
}
