// Messages in flight, each moving along its link from the moment it was
// sent to the moment it arrives, in virtual time. Requests and replies on
// the same link travel in lanes on either side of it. A lost message bursts
// where it was when it was lost.
//
// Messages are drawn in the ring's own SVG, moved by a transform attribute
// only when they move. Composited HTML elements per message were tried and
// measured no faster with 9 busy peers (e2e TestPerfRender), so the simpler
// drawing stays.

import { svg, setProp, setText, TIMER_R } from "./svg.js";
import { messageKind, messageName, peerName, dropLabel } from "./describe.js";

const LANE = 7; // px to the right of the direction of travel
const EDGE = TIMER_R + 4; // messages leave and reach a peer at its timer ring
const MAX_BURSTS = 40;
// The most messages drawn at once: a run stopped at the simulator's limit
// has 10,000 in flight, which took seconds to draw and could not be read.
// The oldest are drawn (the first to arrive); a note says how many are not.
export const MAX_DRAWN = 400;
// Where along its link a lost message is drawn, by why it was lost (the
// simulator drops it when it would have arrived); one dropped by hand is
// drawn where it was.
const ALONG = { loss: 0.5, partition: 0.3, down: 0.85 };
const WORD_W = 40; // the room a burst's word takes, across
const BURST_R = 10; // a burst's cross and ring reach this far from its centre
// A loss is marked for this long in simulated time, fading all the while,
// whatever the speed: a run paused, stepped or replayed to a moment shows
// only the losses of the moments just before it.
export const BURST_MS = 30;
const MSG_R = 11; // half a message's glyph, across: what may cover a label

export class Messages {
  // still: a media query; while it matches (reduced motion), messages jump
  // between three places on their link instead of gliding.
  // undrawn: the note saying how many messages in flight are not drawn.
  constructor(layer, burstLayer, still, undrawn, handlers) {
    this.still = still;
    this.undrawn = undrawn;
    this.layer = layer;
    this.burstLayer = burstLayer;
    this.handlers = handlers; // {hover(id, el), pick(id, el)}
    this.at = [];
    this.clear = [];
    this.labelBoxes = [];
    this.bursts = []; // {outer, at}: the losses drawn, oldest first
    this.shown = new Map(); // id -> {g, m}
    this.templates = new Map(); // kind|yes -> the glyph to copy
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
  }

  // layout takes the peers' places, and the boxes a burst's word must
  // leave clear (the servers and their labels).
  layout(at, clear) {
    this.at = at;
    this.clear = clear;
    this.labelBoxes = clear.slice(at.length);
    this.layer.replaceChildren();
    this.burstLayer.replaceChildren();
    this.bursts = [];
    this.shown.clear();
  }

  // move follows the peers to new places (the ring's box changed size):
  // the next frame puts every message on its link again.
  move(at, clear) {
    this.at = at;
    this.clear = clear;
    this.labelBoxes = clear.slice(at.length);
    for (const s of this.shown.values()) s.key = "";
    this.burstLayer.replaceChildren();
    this.bursts = [];
  }

  // sync adds glyphs for new messages and removes those that arrived; of
  // more than MAX_DRAWN, it draws the oldest (the lowest ids).
  sync(model) {
    const all = model.messages;
    let drawn = all;
    if (all.size > MAX_DRAWN) {
      const ids = [...all.keys()].sort((a, b) => a - b).slice(0, MAX_DRAWN);
      drawn = new Map(ids.map((id) => [id, all.get(id)]));
    }
    for (const [id, s] of this.shown) {
      if (!drawn.has(id)) {
        s.g.remove();
        this.shown.delete(id);
        if (id === this.selected) this.selected = 0;
      }
    }
    for (const [id, m] of drawn) {
      if (this.shown.has(id)) continue;
      this.shown.set(id, { g: this.glyph(m), m, key: "" });
    }
    const more = all.size - drawn.size;
    setProp(this.undrawn, "hidden", more === 0);
    if (more) setText(this.undrawn, `${more.toLocaleString("en-US")} more messages in flight are not drawn: only the ${MAX_DRAWN} oldest are.`);
  }

  // glyph draws a message: a copy of its kind's template, which is cheaper
  // than building each glyph element by element (dozens a second).
  glyph(m) {
    const kind = messageKind(m.msg);
    const yes = kind === "vote-reply" ? m.msg.voteGranted : kind === "append-reply" ? m.msg.success : false;
    const key = `${kind}|${Boolean(yes)}`;
    let proto = this.templates.get(key);
    if (!proto) this.templates.set(key, (proto = template(kind, yes)));
    const g = proto.cloneNode(true);
    g.dataset.id = m.id;
    g.firstChild.textContent = `${peerName(m.msg.from)} → ${peerName(m.msg.to)} ${messageName(m.msg)}`;
    if (kind === "append") g.querySelector(".msg-count").textContent = String((m.msg.entries || []).length);
    if (m.dup) g.classList.add("dup");
    if (m.id === this.selected) g.classList.add("selected");
    if (this.culprits && this.culprits.has(m.id)) g.classList.add("culprit");
    this.layer.appendChild(g);
    return g;
  }

  // frame puts every message where it is at virtual time t, and fades
  // the marks of losses.
  frame(t) {
    const jump = this.still.matches;
    for (const s of this.shown.values()) {
      const { x, y } = this.where(s.m.msg, s.m.sent, s.m.arrive, t, jump);
      const key = `translate(${x.toFixed(1)},${y.toFixed(1)})`;
      if (key === s.key) continue;
      s.key = key;
      s.g.setAttribute("transform", key);
      // A message passing under a server's label is drawn faint, its
      // count hidden, so that the label reads through it.
      const box = [x - MSG_R, y - MSG_R, 2 * MSG_R, 2 * MSG_R];
      const under = this.labelBoxes.some((b) => meets(box, b));
      if (under !== Boolean(s.under)) {
        s.under = under;
        s.g.classList.toggle("under-label", under);
      }
    }
    this.fade(t);
  }

  // fade shows each loss's mark from the moment of the loss for BURST_MS
  // of simulated time, fading, and removes it after.
  fade(t) {
    if (!this.bursts.length) return;
    this.bursts = this.bursts.filter((b) => {
      if (!b.outer.isConnected) return false;
      const age = t - b.at;
      if (age >= BURST_MS) {
        b.outer.remove();
        return false;
      }
      const shown = age >= 0;
      if (shown !== b.shown) {
        b.shown = shown;
        b.outer.setAttribute("visibility", shown ? "visible" : "hidden");
      }
      const opacity = shown ? (1 - age / BURST_MS).toFixed(2) : "0";
      if (opacity !== b.opacity) {
        b.opacity = opacity;
        b.outer.setAttribute("opacity", opacity);
      }
      return true;
    });
  }

  where(msg, sent, arrive, t, jump = false) {
    const p = this.at[msg.from - 1];
    const q = this.at[msg.to - 1];
    if (!p || !q) return { x: -10000, y: -10000 }; // off the ring: not drawn
    const dx = q.x - p.x;
    const dy = q.y - p.y;
    const len = Math.hypot(dx, dy) || 1;
    const ux = dx / len;
    const uy = dy / len;
    const span = Math.max(len - 2 * EDGE, 0);
    let f = arrive > sent ? Math.min(1, Math.max(0, (t - sent) / (arrive - sent))) : 1;
    if (jump) f = (Math.min(2, Math.floor(f * 3)) + 0.5) / 3; // a sixth, a half, five sixths
    const d = EDGE + span * f;
    // The right-hand normal of the direction of travel (y grows downward).
    return { x: p.x + ux * d - uy * LANE, y: p.y + uy * d + ux * LANE };
  }

  // burst marks where messages were lost: on the way (ALONG), not at the
  // server they were going to, where the bursts hid its labels.
  burst(losses) {
    for (const b of losses) {
      if (!this.at[b.msg.from - 1] || !this.at[b.msg.to - 1]) continue;
      while (this.burstLayer.childElementCount >= MAX_BURSTS) this.burstLayer.firstChild.remove();
      const along = ALONG[b.reason];
      const { x, y } = this.burstSpot(b, along === undefined ? (b.arrive > b.sent ? (b.at - b.sent) / (b.arrive - b.sent) : 1) : along);
      // Messages lost at the same spot (say, every heartbeat to a crashed
      // server) share one burst: stacked labels smear into a blot.
      const key = `${Math.round(x / 4)},${Math.round(y / 4)},${b.reason}`;
      for (const old of [...this.burstLayer.children]) if (old.dataset.key === key) old.remove();
      const outer = svg("g", { transform: `translate(${x.toFixed(1)},${y.toFixed(1)})`, "data-key": key, "data-at": b.at, visibility: "hidden" }, this.burstLayer);
      const inner = svg("g", { class: "burst" }, outer);
      svg("circle", { class: "burst-ring", r: 9 }, inner);
      svg("path", { class: "burst-x", d: "M-4,-4l8,8m0,-8l-8,8" }, inner);
      // A cut link is drawn as cut and a crashed server as crashed already:
      // the messages they swallow need no word. Under heavy loss, one word
      // is enough where bursts crowd: a burst near a worded one stays a
      // bare cross, and none is worded close to a server.
      if (b.reason !== "partition" && b.reason !== "down" && this.wordRoom(x, y)) {
        const label = svg("text", { class: "burst-label", y: -13 }, inner);
        label.textContent = dropLabel[b.reason] || "dropped";
        outer.dataset.word = `${(x - WORD_W / 2).toFixed(0)},${(y - 24).toFixed(0)},${WORD_W},16`;
      }
      this.bursts.push({ outer, at: b.at, shown: false, opacity: "" });
    }
  }

  // burstSpot is where along its link (a fraction f of the way) a loss is
  // marked: there, or the nearest place towards the link's middle where
  // the mark covers no server and no label.
  burstSpot(b, f) {
    const at = (g) => this.where(b.msg, 0, 1, Math.min(1, Math.max(0, g)));
    for (let i = 0; i <= 20; i++) {
      const g = f + ((0.5 - f) * i) / 20;
      const p = at(g);
      if (!this.clear.some((c) => meets([p.x - BURST_R, p.y - BURST_R, 2 * BURST_R, 2 * BURST_R], c))) return p;
    }
    return at(f);
  }

  // wordRoom says whether a burst at x, y may carry a word (drawn above
  // it): not on a server or its labels, not on another burst's word.
  wordRoom(x, y) {
    const word = [x - WORD_W / 2, y - 24, WORD_W, 16];
    if (this.clear.some((b) => meets(word, b))) return false;
    for (const el of this.burstLayer.children) {
      const w = el.dataset.word;
      if (w && meets(word, w.split(",").map(Number))) return false;
    }
    return true;
  }

  // highlight marks the messages in flight a violation involves; those
  // sent later are marked as they appear.
  highlight(ids) {
    this.culprits = new Set(ids);
    for (const [id, s] of this.shown) s.g.classList.toggle("culprit", this.culprits.has(id));
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

// template builds the glyph of one kind of message, without its id, title
// text or entry count.
function template(kind, yes) {
  const g = svg("g", { class: `msg ${kind === "heartbeat" ? "append heartbeat" : kind}` });
  svg("title", {}, g);
  svg("circle", { class: "hit", r: 13 }, g);
  switch (kind) {
    case "vote":
      svg("circle", { class: "msg-shape", r: 7 }, g);
      break;
    case "vote-reply":
      svg("circle", { class: "msg-shape", r: 7.5 }, g);
      mark(g, yes);
      break;
    case "append":
      svg("rect", { class: "msg-shape", x: -10, y: -7.5, width: 20, height: 15, rx: 2.5 }, g);
      svg("text", { class: "msg-count", y: 0.5 }, g);
      break;
    case "heartbeat":
      svg("rect", { class: "msg-shape", x: -5, y: -5, width: 10, height: 10, rx: 1.5 }, g);
      break;
    case "append-reply":
      svg("rect", { class: "msg-shape", x: -7, y: -7, width: 14, height: 14, rx: 2.5 }, g);
      mark(g, yes);
      break;
    case "snapshot":
      svg("rect", { class: "msg-shape msg-back", x: -8, y: -11, width: 19, height: 15, rx: 2.5 }, g);
      svg("rect", { class: "msg-shape", x: -11, y: -6, width: 19, height: 15, rx: 2.5 }, g);
      svg("path", { class: "msg-lines", d: "M-7.5,-1.5h12M-7.5,2h12M-7.5,5.5h7" }, g);
      break;
    case "client-reply":
    default:
      svg("path", { class: "msg-shape", d: "M0,-8L8,6H-8z" }, g);
      break;
  }
  return g;
}

// mark draws a tick or a cross on a reply, so yes and no differ by shape.
function mark(g, yes) {
  svg("path", { class: "msg-mark", d: yes ? "M-3.5,0.5l2.4,2.6l4.6,-5.4" : "M-3,-3l6,6m0,-6l-6,6" }, g);
}

// meets says whether two boxes [x, y, w, h] overlap.
function meets([ax, ay, aw, ah], [bx, by, bw, bh]) {
  return ax < bx + bw && bx < ax + aw && ay < by + bh && by < ay + ah;
}
