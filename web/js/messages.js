// Messages in flight, each moving along its link from the moment it was
// sent to the moment it arrives, in virtual time. Requests and replies on
// the same link travel in lanes on either side of it. A lost message bursts
// where it was when it was lost.
//
// Each message is an HTML element of its own over the ring, holding its
// small SVG glyph, and is moved with a CSS transform: the compositor moves
// it, so a frame repaints and re-lays out nothing for the messages (with
// dozens in flight, redrawing them in the ring's SVG cost most of a frame).
// Positions are the ring's user units turned into the layer's pixels.

import { svg, TIMER_R } from "./svg.js";
import { messageKind, messageName, peerName, dropLabel } from "./describe.js";

const LANE = 7; // units to the right of the direction of travel
const EDGE = TIMER_R + 4; // messages leave and reach a peer at its timer ring
const GLYPH = 30; // the glyph's box, in units, centred on its position
const MAX_BURSTS = 40;

export class Messages {
  constructor(layer, burstLayer, handlers) {
    this.layer = layer;
    this.burstLayer = burstLayer;
    this.handlers = handlers; // {hover(id, el), pick(id, el)}
    this.at = [];
    this.box = { x: -320, y: -300, w: 640, h: 600 };
    this.px = { s: 1, ox: 0, oy: 0 }; // units -> layer pixels
    this.shown = new Map(); // id -> {g, m, key}
    this.selected = 0;
    layer.addEventListener("click", (e) => {
      const g = e.target.closest(".msg");
      if (g) handlers.pick(Number(g.dataset.id), g);
    });
    layer.addEventListener("mouseover", (e) => {
      const g = e.target.closest(".msg");
      if (g) handlers.hover(Number(g.dataset.id), g);
    });
    layer.addEventListener("mouseout", (e) => {
      const g = e.target.closest(".msg");
      if (g && !g.contains(e.relatedTarget)) handlers.hover(0, null);
    });
    // The layer's size is read only when it changes, never on a frame.
    new ResizeObserver((entries) => {
      const r = entries[0].contentRect;
      this.size = { w: r.width, h: r.height };
      this.scale();
    }).observe(layer);
    this.size = { w: 0, h: 0 };
  }

  layout(at, box) {
    this.at = at;
    if (box) this.box = box;
    this.layer.replaceChildren();
    this.burstLayer.replaceChildren();
    this.shown.clear();
    this.scale();
  }

  // scale fits the ring's viewBox in the layer as the SVG does (centred,
  // aspect kept) and moves every glyph to match.
  scale() {
    const { w, h } = this.size;
    const b = this.box;
    if (!w || !h) return;
    const s = Math.min(w / b.w, h / b.h);
    this.px = { s, ox: (w - b.w * s) / 2 - b.x * s, oy: (h - b.h * s) / 2 - b.y * s };
    this.layer.style.setProperty("--u", `${s.toFixed(4)}px`);
    for (const m of this.shown.values()) m.key = "";
    if (this.lastT !== undefined) this.frame(this.lastT);
  }

  // sync adds glyphs for new messages and removes those that arrived.
  sync(model) {
    for (const [id, s] of this.shown) {
      if (!model.messages.has(id)) {
        s.g.remove();
        this.shown.delete(id);
        if (id === this.selected) this.selected = 0;
      }
    }
    let added = null;
    for (const [id, m] of model.messages) {
      if (this.shown.has(id)) continue;
      const g = this.glyph(m);
      (added ||= document.createDocumentFragment()).appendChild(g);
      this.shown.set(id, { g, m, key: "" });
    }
    if (added) {
      if (this.lastT !== undefined) this.frame(this.lastT);
      this.layer.appendChild(added);
    }
  }

  glyph(m) {
    const kind = messageKind(m.msg);
    const g = document.createElement("div");
    g.className = `msg ${kind === "heartbeat" ? "append heartbeat" : kind}${m.dup ? " dup" : ""}${m.id === this.selected ? " selected" : ""}`;
    g.dataset.id = m.id;
    g.title = `${peerName(m.msg.from)} → ${peerName(m.msg.to)} ${messageName(m.msg)}`;
    const h = GLYPH / 2;
    const s = svg("svg", { viewBox: `${-h} ${-h} ${GLYPH} ${GLYPH}`, "aria-hidden": "true" }, g);
    switch (kind) {
      case "vote":
        svg("circle", { class: "msg-shape", r: 7 }, s);
        break;
      case "vote-reply":
        svg("circle", { class: "msg-shape", r: 7.5 }, s);
        mark(s, m.msg.voteGranted);
        break;
      case "append": {
        svg("rect", { class: "msg-shape", x: -10, y: -7.5, width: 20, height: 15, rx: 2.5 }, s);
        const t = svg("text", { class: "msg-count", y: 0.5 }, s);
        t.textContent = String((m.msg.entries || []).length);
        break;
      }
      case "heartbeat":
        svg("rect", { class: "msg-shape", x: -5, y: -5, width: 10, height: 10, rx: 1.5 }, s);
        break;
      case "append-reply":
        svg("rect", { class: "msg-shape", x: -7, y: -7, width: 14, height: 14, rx: 2.5 }, s);
        mark(s, m.msg.success);
        break;
      case "snapshot":
        // A bundle: the compacted log and the lock's state, in one message.
        svg("rect", { class: "msg-shape msg-back", x: -8, y: -11, width: 19, height: 15, rx: 2.5 }, s);
        svg("rect", { class: "msg-shape", x: -11, y: -6, width: 19, height: 15, rx: 2.5 }, s);
        svg("path", { class: "msg-lines", d: "M-7.5,-1.5h12M-7.5,2h12M-7.5,5.5h7" }, s);
        break;
      case "client-reply":
      default:
        svg("path", { class: "msg-shape", d: "M0,-8L8,6H-8z" }, s);
        break;
    }
    return g;
  }

  // frame puts every message where it is at virtual time t: one transform
  // per message that moved, nothing else.
  frame(t) {
    this.lastT = t;
    const { s, ox, oy } = this.px;
    for (const m of this.shown.values()) {
      const { x, y } = this.where(m.m.msg, m.m.sent, m.m.arrive, t);
      const key = `translate(${(ox + x * s).toFixed(1)}px,${(oy + y * s).toFixed(1)}px)`;
      if (key === m.key) continue;
      m.key = key;
      m.g.style.transform = key;
    }
  }

  where(msg, sent, arrive, t) {
    const p = this.at[msg.from - 1];
    const q = this.at[msg.to - 1];
    if (!p || !q) return { x: -1000, y: -1000 };
    const dx = q.x - p.x;
    const dy = q.y - p.y;
    const len = Math.hypot(dx, dy) || 1;
    const ux = dx / len;
    const uy = dy / len;
    const span = Math.max(len - 2 * EDGE, 0);
    const f = arrive > sent ? Math.min(1, Math.max(0, (t - sent) / (arrive - sent))) : 1;
    const d = EDGE + span * f;
    // The right-hand normal of the direction of travel (y grows downward).
    return { x: p.x + ux * d - uy * LANE, y: p.y + uy * d + ux * LANE };
  }

  // burst marks where messages were lost.
  burst(losses) {
    for (const b of losses) {
      if (!this.at[b.msg.from - 1] || !this.at[b.msg.to - 1]) continue;
      while (this.burstLayer.childElementCount >= MAX_BURSTS) this.burstLayer.firstChild.remove();
      const { x, y } = this.where(b.msg, b.sent, b.arrive, b.at);
      const outer = svg("g", { transform: `translate(${x.toFixed(1)},${y.toFixed(1)})` }, this.burstLayer);
      const inner = svg("g", { class: "burst" }, outer);
      svg("circle", { class: "burst-ring", r: 11 }, inner);
      svg("path", { class: "burst-x", d: "M-5,-5l10,10m0,-10l-10,10" }, inner);
      // A cut link is drawn as cut already: its blocked messages need no word.
      if (b.reason !== "partition") {
        const label = svg("text", { class: "burst-label", y: -16 }, inner);
        label.textContent = dropLabel[b.reason] || "dropped";
      }
      inner.addEventListener("animationend", () => outer.remove(), { once: true });
      // With animations off (reduced motion) animationend never comes.
      setTimeout(() => outer.remove(), 1500);
    }
  }

  select(id) {
    const old = this.shown.get(this.selected);
    if (old) old.g.classList.remove("selected");
    this.selected = id;
    const now = this.shown.get(id);
    if (now) now.g.classList.add("selected");
    return now ? now.g : null;
  }

  // neighbour returns the message after (or before) the selected one, by id.
  neighbour(dir) {
    const ids = [...this.shown.keys()].sort((a, b) => a - b);
    if (!ids.length) return 0;
    const i = ids.indexOf(this.selected);
    if (i < 0) return dir > 0 ? ids[0] : ids[ids.length - 1];
    return ids[(i + dir + ids.length) % ids.length];
  }

  element(id) {
    const s = this.shown.get(id);
    return s ? s.g : null;
  }
}

// mark draws a tick or a cross on a reply, so yes and no differ by shape.
function mark(g, yes) {
  svg("path", { class: "msg-mark", d: yes ? "M-3.5,0.5l2.4,2.6l4.6,-5.4" : "M-3,-3l6,6m0,-6l-6,6" }, g);
}
