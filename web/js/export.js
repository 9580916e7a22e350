// Export: the view on screen (the ring with its messages, and the logs) as
// a picture for slides, SVG or PNG, and the run as JSON: its definition
// and trace, in the form of raft/sim/TRACE.md, as the simulator writes it
// (exportTrace). The SVG stands alone: every element carries the styles
// the page gave it, the symbols it uses come along, and it has a white
// background, so it reads the same in a slide as on the page.

const SVG_NS = "http://www.w3.org/2000/svg";
const PAD = 16;
const CAPTION = 28;
const PNG_SCALE = 2; // sharp on a projector

// The computed properties an exported SVG element keeps.
const SVG_PROPS = [
  "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-dasharray", "stroke-dashoffset",
  "stroke-opacity", "stroke-linecap", "stroke-linejoin", "opacity", "font-family", "font-size", "font-weight",
  "font-style", "text-anchor", "dominant-baseline", "letter-spacing", "paint-order", "visibility",
];

// download saves blob as a file called name.
export function download(blob, name) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

// viewSVG returns the view as SVG text. host is the page's root; caption
// goes above the picture.
export function viewSVG(host, caption) {
  const ring = host.querySelector("[data-ring-wrap]");
  const logs = host.querySelector(".logs");
  const parts = [];
  let y = PAD + CAPTION;
  let width = 0;
  const ringBox = shown(ring) ? ring.getBoundingClientRect() : null;
  if (ringBox) {
    const g = el("g", { transform: `translate(${PAD} ${y})` });
    for (const layer of ring.querySelectorAll(":scope > svg")) {
      if (!shown(layer)) continue;
      const copy = inlineSVG(layer);
      copy.setAttribute("width", String(ringBox.width));
      copy.setAttribute("height", String(ringBox.height));
      g.append(copy);
    }
    parts.push(g);
    y += ringBox.height + PAD;
    width = Math.max(width, ringBox.width);
  }
  if (shown(logs)) {
    const box = logs.getBoundingClientRect();
    const g = el("g", { transform: `translate(${PAD} ${y})` });
    boxes(logs, box, g);
    parts.push(g);
    y += box.height + PAD;
    width = Math.max(width, box.width);
  }
  width += 2 * PAD;
  const svg = el("svg", { xmlns: SVG_NS, width: String(Math.ceil(width)), height: String(Math.ceil(y)), viewBox: `0 0 ${Math.ceil(width)} ${Math.ceil(y)}` });
  svg.append(el("rect", { width: "100%", height: "100%", fill: "#ffffff" }));
  const defs = symbolsUsed(host, parts);
  if (defs) svg.append(defs);
  const title = el("text", { x: String(PAD), y: String(PAD + 16), "font-family": getComputedStyle(host).fontFamily, "font-size": "15px", "font-weight": "600", fill: "#1c2230" });
  title.textContent = caption;
  svg.append(title, ...parts);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(svg)}\n`;
}

// viewPNG draws the SVG of the view on a canvas and returns it as a PNG.
export async function viewPNG(svgText) {
  const url = URL.createObjectURL(new Blob([svgText], { type: "image/svg+xml" }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth * PNG_SCALE;
    canvas.height = img.naturalHeight * PNG_SCALE;
    const ctx = canvas.getContext("2d");
    ctx.scale(PNG_SCALE, PNG_SCALE);
    ctx.drawImage(img, 0, 0);
    return await new Promise((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("the browser could not make a PNG"))), "image/png"));
  } finally {
    URL.revokeObjectURL(url);
  }
}

function el(name, attrs = {}) {
  const e = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

function shown(node) {
  if (!node || !node.isConnected) return false;
  const r = node.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && getComputedStyle(node).visibility !== "hidden";
}

// inlineSVG copies an SVG subtree with each element's computed styles
// written on it, leaving out what is not displayed.
function inlineSVG(src) {
  const copy = src.cloneNode(true);
  const from = [src, ...src.querySelectorAll("*")];
  const to = [copy, ...copy.querySelectorAll("*")];
  const drop = [];
  from.forEach((node, i) => {
    const cs = getComputedStyle(node);
    const out = to[i];
    out.removeAttribute("class");
    if (cs.display === "none") {
      drop.push(out);
      return;
    }
    // Presentation attributes, not a style attribute: the page's CSP
    // forbids those, and every SVG reader knows these.
    out.removeAttribute("style");
    for (const p of SVG_PROPS) out.setAttribute(p, cs.getPropertyValue(p));
    // Transforms set from CSS (messages move by transform) become attributes.
    if (cs.transform && cs.transform !== "none" && !node.hasAttribute("transform")) out.setAttribute("transform", cs.transform);
  });
  for (const d of drop) d.remove();
  for (const a of ["data-ring", "data-ring-live", "data-ring-labels", "role", "aria-label", "tabindex"]) copy.removeAttribute(a);
  return copy;
}

// symbolsUsed returns a <defs> with the page's symbols the parts use
// (<use href="#glyph-...">), styles inlined, or null.
function symbolsUsed(host, parts) {
  const ids = new Set();
  for (const p of parts) for (const u of p.querySelectorAll("use")) ids.add((u.getAttribute("href") || "").slice(1));
  const defs = el("defs");
  for (const id of ids) {
    const sym = id && host.querySelector(`symbol#${CSS.escape(id)}`);
    if (sym) defs.append(inlineSVG(sym));
  }
  return defs.childNodes.length ? defs : null;
}

// boxes draws an HTML subtree (the logs) as SVG: each element's
// background and border as a rectangle, its text as text, where the page
// lays them out.
function boxes(root, origin, g) {
  const walk = (node) => {
    if (node.nodeType === Node.TEXT_NODE) {
      text(node, origin, g);
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    const cs = getComputedStyle(node);
    if (cs.display === "none" || cs.visibility === "hidden" || node.hidden) return;
    // Text for screen readers only (a 1-pixel box): not in the picture.
    const r = node.getBoundingClientRect();
    if (r.width <= 1 && r.height <= 1 && cs.overflow === "hidden") return;
    rect(node, cs, origin, g);
    for (const c of node.childNodes) walk(c);
  };
  walk(root);
}

function rect(node, cs, origin, g) {
  const r = node.getBoundingClientRect();
  if (r.width === 0 || r.height === 0) return;
  const fill = opaque(cs.backgroundColor) ? cs.backgroundColor : "none";
  const bw = parseFloat(cs.borderTopWidth) || 0;
  const stroke = bw > 0 && cs.borderTopStyle !== "none" && opaque(cs.borderTopColor) ? cs.borderTopColor : "none";
  if (fill === "none" && stroke === "none") return;
  const attrs = {
    x: f(r.left - origin.left + bw / 2), y: f(r.top - origin.top + bw / 2),
    width: f(Math.max(0, r.width - bw)), height: f(Math.max(0, r.height - bw)),
    rx: f(parseFloat(cs.borderTopLeftRadius) || 0), fill, stroke,
  };
  if (stroke !== "none") {
    attrs["stroke-width"] = f(bw);
    if (cs.borderTopStyle === "dashed") attrs["stroke-dasharray"] = `${f(bw * 3)} ${f(bw * 2)}`;
    if (cs.borderTopStyle === "dotted") attrs["stroke-dasharray"] = `${f(bw)} ${f(bw)}`;
  }
  g.append(el("rect", attrs));
}

function text(node, origin, g) {
  const s = node.textContent.replace(/\s+/g, " ").trim();
  if (!s) return;
  const parent = node.parentElement;
  const cs = getComputedStyle(parent);
  const range = document.createRange();
  range.selectNodeContents(node);
  const r = range.getBoundingClientRect();
  if (r.width === 0 || r.height === 0) return;
  // Text the page cuts short (an ellipsis) is cut to the room it has.
  const box = parent.getBoundingClientRect();
  let shownText = s;
  if (r.right > box.right + 1 && cs.textOverflow === "ellipsis") {
    const keep = Math.max(1, Math.floor((s.length * (box.right - r.left)) / r.width) - 1);
    shownText = `${s.slice(0, keep)}…`;
  }
  const t = el("text", {
    x: f(r.left - origin.left), y: f(r.top - origin.top + r.height / 2),
    "dominant-baseline": "central",
    "font-family": cs.fontFamily, "font-size": cs.fontSize, "font-weight": cs.fontWeight, "font-style": cs.fontStyle, fill: cs.color,
  });
  t.textContent = shownText;
  g.append(t);
}

function opaque(colour) {
  return colour && colour !== "transparent" && !/rgba\([^)]*,\s*0\)$/.test(colour);
}

function f(n) {
  return String(Math.round(n * 10) / 10);
}
