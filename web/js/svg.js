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

// Geometry of the ring, in pixels: the ring is drawn at its box's size, so
// text keeps its size and the circle takes the room there is.
export const NODE_R = 22; // a peer's body
export const TIMER_R = 28; // its election-timer ring

// What a peer's drawing needs around its centre: the leader's crown above,
// its two lines of labels below, the labels' half width to each side.
const ABOVE = NODE_R + 22;
const BELOW = TIMER_R + 34;
const SIDE = 56;
const GAP = 10; // between two peers' timer rings, at the least
const ROUNDER = 1.6; // how much wider than tall (or taller than wide) the ring may be

// layout places n peers on a ring in a box of w x h pixels, s1 at the top,
// clockwise: a circle, or an ellipse where the box is long, as large as the
// box allows up to a comfortable size. It returns their centres and the
// viewBox that frames them (the box itself, unless the peers need more:
// then the drawing is scaled down to fit).
export function layout(n, w, h) {
  const angle = (i) => -Math.PI / 2 + (2 * Math.PI * i) / n;
  const cos = [];
  const sin = [];
  for (let i = 0; i < n; i++) {
    cos.push(Math.cos(angle(i)));
    sin.push(Math.sin(angle(i)));
  }
  const cmax = Math.max(...cos.map(Math.abs));
  const span = Math.max(...sin) - Math.min(...sin);
  const most = n <= 2 ? 130 : n <= 5 ? 190 : 220;
  const least = n < 2 ? 0 : (2 * TIMER_R + GAP) / (2 * Math.sin(Math.PI / n));
  let rx = cmax > 0.01 ? (w - 2 * SIDE) / (2 * cmax) : Infinity;
  let ry = span > 0.01 ? (h - ABOVE - BELOW) / span : Infinity;
  if (!Number.isFinite(rx)) rx = ry;
  if (!Number.isFinite(ry)) ry = rx;
  rx = Math.min(rx, most, ry * ROUNDER);
  ry = Math.min(ry, most, rx * ROUNDER);
  rx = Math.max(rx, least);
  ry = Math.max(ry, least);
  const at = cos.map((c, i) => (n === 1 ? { x: 0, y: 0 } : { x: rx * c, y: ry * sin[i] }));
  const xs = at.map((p) => p.x);
  const ys = at.map((p) => p.y);
  const x0 = Math.min(...xs) - SIDE;
  const x1 = Math.max(...xs) + SIDE;
  const y0 = Math.min(...ys) - ABOVE;
  const y1 = Math.max(...ys) + BELOW;
  const bw = Math.max(w, x1 - x0);
  const bh = Math.max(h, y1 - y0);
  return { at, box: { x: (x0 + x1 - bw) / 2, y: (y0 + y1 - bh) / 2, w: bw, h: bh } };
}
