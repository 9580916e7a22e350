// Small helpers for building SVG and HTML without innerHTML: text always
// goes in as text, so a client name can never become markup.

const SVG_NS = "http://www.w3.org/2000/svg";

export function svg(tag, attrs = {}, parent = null) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (parent) parent.appendChild(node);
  return node;
}

export function html(tag, attrs = {}, parent = null, text = null) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else node.setAttribute(k, v);
  }
  if (text !== null) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

// setText changes a node's text only when it differs: writing the same
// text still costs a layout in some browsers.
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

export function setAttr(node, name, value) {
  const v = String(value);
  if (node.getAttribute(name) !== v) node.setAttribute(name, v);
}

// Geometry of the ring, in the SVG's user units (viewBox 640 x 600).
export const VIEW = { w: 640, h: 600 };
export const NODE_R = 34; // a peer's body
export const TIMER_R = 43; // its election-timer ring

// positions places n peers on a circle, s1 at the top, clockwise, and
// centres the drawing (a crown above a peer, two lines of text below).
export function positions(n) {
  const r = n === 1 ? 0 : n === 2 ? 170 : n <= 5 ? 200 : 214;
  const out = [];
  for (let i = 0; i < n; i++) {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / n;
    out.push({ x: VIEW.w / 2 + r * Math.cos(a), y: r * Math.sin(a) });
  }
  const top = Math.min(...out.map((p) => p.y)) - TIMER_R - 22;
  const bottom = Math.max(...out.map((p) => p.y)) + TIMER_R + 40;
  const shift = VIEW.h / 2 - (top + bottom) / 2;
  for (const p of out) p.y += shift;
  return out;
}
