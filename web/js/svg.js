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
// text still costs a layout in some browsers. A lone text node is changed
// in place: replacing it (textContent) makes the browser recompute style
// and rebuild the layout objects; changing its data only re-lays it out.
// Empty text still goes through textContent, so :empty keeps matching.
export function setText(node, text) {
  const t = node.firstChild;
  if (t && t === node.lastChild && t.nodeType === Node.TEXT_NODE && t.data !== "" && text !== "") {
    if (t.data !== text) t.data = text;
  } else if (node.textContent !== text) node.textContent = text;
}

// setProp sets a property (className, title, hidden) only when it differs:
// even an unchanged attribute written again invalidates the element's style.
export function setProp(node, name, value) {
  if (node[name] !== value) node[name] = value;
}

export function setAttr(node, name, value) {
  const v = String(value);
  if (node.getAttribute(name) !== v) node.setAttribute(name, v);
}

// Geometry of the ring, in the SVG's user units.
export const NODE_R = 34; // a peer's body
export const TIMER_R = 43; // its election-timer ring

// What a peer's drawing needs around its centre: its labels below, the
// leader's crown above, the text's width to each side.
const ABOVE = TIMER_R + 24;
const BELOW = TIMER_R + 44;
const SIDE = 78;
const MIN_W = 420; // so that one or two peers are not drawn huge
const MIN_H = 340;

// layout places n peers on a circle, s1 at the top, clockwise, and returns
// their centres with the viewBox that frames them.
export function layout(n) {
  const r = n === 1 ? 0 : n === 2 ? 170 : n <= 5 ? 200 : 214;
  const at = [];
  for (let i = 0; i < n; i++) {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / n;
    at.push({ x: r * Math.cos(a), y: r * Math.sin(a) });
  }
  const xs = at.map((p) => p.x);
  const ys = at.map((p) => p.y);
  let x0 = Math.min(...xs) - SIDE;
  let x1 = Math.max(...xs) + SIDE;
  let y0 = Math.min(...ys) - ABOVE;
  let y1 = Math.max(...ys) + BELOW;
  const grow = (lo, hi, min) => (hi - lo >= min ? [lo, hi] : [(lo + hi - min) / 2, (lo + hi + min) / 2]);
  [x0, x1] = grow(x0, x1, MIN_W);
  [y0, y1] = grow(y0, y1, MIN_H);
  return { at, box: { x: x0, y: y0, w: x1 - x0, h: y1 - y0 } };
}
