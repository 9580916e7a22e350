// The peers in a ring and the links between them. Role is told three ways:
// the body's shape (circle, diamond, crowned double circle, hatched and
// dashed), its label, and its colour. Elements are built once per cluster
// size and then only their changed attributes are touched.

import { svg, setAttr, setText, layout, NODE_R, TIMER_R } from "./svg.js";
import { peerName } from "./describe.js";

const CIRCLE = `M${-NODE_R},0a${NODE_R},${NODE_R} 0 1,0 ${2 * NODE_R},0a${NODE_R},${NODE_R} 0 1,0 ${-2 * NODE_R},0z`;
const D = 40; // the candidate diamond's half diagonal
const DIAMOND = `M0,${-D}L${D},0L0,${D}L${-D},0z`;
const CROWN = "M-13,6L-15,-7L-7,-1L0,-11L7,-1L15,-7L13,6z";
const TIMER_C = 2 * Math.PI * TIMER_R;

export class Ring {
  constructor(svgRoot, liveRoot, labelRoot, handlers) {
    this.root = svgRoot;
    this.live = liveRoot;
    this.labels = labelRoot; // the labels under each server, drawn over the messages
    this.timerLayer = liveRoot.querySelector("[data-timers]");
    this.linkLayer = svgRoot.querySelector("[data-links]");
    this.peerLayer = svgRoot.querySelector("[data-peer-layer]");
    this.handlers = handlers; // {peer(id, element), link(a, b)}
    this.nodes = [];
    this.links = [];
    this.at = [];
    this.snapTime = 0;
    this.peerLayer.addEventListener("click", (e) => {
      const g = e.target.closest(".peer");
      if (g) handlers.peer(Number(g.dataset.peer), g);
    });
    // The menu opens when the key comes up, so the key press cannot also
    // press the menu's first button, which then has the focus.
    const activates = (e) => e.key === "Enter" || e.key === " ";
    this.peerLayer.addEventListener("keydown", (e) => {
      if (activates(e) && e.target.closest(".peer")) e.preventDefault();
    });
    this.peerLayer.addEventListener("keyup", (e) => {
      const g = e.target.closest(".peer");
      if (g && activates(e)) handlers.peer(Number(g.dataset.peer), g);
    });
    this.linkLayer.addEventListener("click", (e) => {
      const g = e.target.closest(".link");
      if (g) handlers.link(Number(g.dataset.a), Number(g.dataset.b));
    });
  }

  // build lays out n peers and every link between them.
  build(n) {
    this.linkLayer.replaceChildren();
    this.peerLayer.replaceChildren();
    const { at, box } = layout(n);
    this.at = at;
    // The drawing is framed tightly, so it is as large as the panel allows.
    const viewBox = `${box.x.toFixed(1)} ${box.y.toFixed(1)} ${box.w.toFixed(1)} ${box.h.toFixed(1)}`;
    this.box = box;
    this.root.setAttribute("viewBox", viewBox);
    this.live.setAttribute("viewBox", viewBox);
    this.labels.setAttribute("viewBox", viewBox);
    this.timerLayer.replaceChildren();
    this.labels.replaceChildren();
    this.root.parentElement.style.aspectRatio = `${box.w.toFixed(1)} / ${box.h.toFixed(1)}`;
    this.links = [];
    for (let a = 1; a <= n; a++) {
      for (let b = a + 1; b <= n; b++) {
        const p = this.at[a - 1];
        const q = this.at[b - 1];
        const g = svg("g", { class: "link", "data-a": a, "data-b": b }, this.linkLayer);
        const title = svg("title", {}, g);
        title.textContent = `${peerName(a)} – ${peerName(b)}: click to cut this link`;
        svg("line", { class: "link-line", x1: p.x, y1: p.y, x2: q.x, y2: q.y }, g);
        svg("line", { class: "link-hit", x1: p.x, y1: p.y, x2: q.x, y2: q.y }, g);
        const mark = svg("g", { class: "link-cutmark", transform: `translate(${(p.x + q.x) / 2},${(p.y + q.y) / 2})` }, g);
        svg("circle", { class: "cutmark-bg", r: 8 }, mark);
        svg("path", { class: "cutmark-x", d: "M-3.5,-3.5l7,7m0,-7l-7,7" }, mark);
        this.links.push({ a, b, g, title, cut: false });
      }
    }
    this.nodes = [];
    for (let id = 1; id <= n; id++) {
      const { x, y } = this.at[id - 1];
      const g = svg("g", { class: "peer follower", "data-peer": id, transform: `translate(${x},${y})`, tabindex: 0, role: "button" }, this.peerLayer);
      svg("circle", { class: "peer-focus", r: TIMER_R + 6 }, g);
      const timer = svg("g", { class: "timer follower", transform: `translate(${x},${y})` }, this.timerLayer);
      svg("circle", { class: "timer-track", r: TIMER_R }, timer);
      const arc = svg("circle", { class: "timer-arc", r: TIMER_R, transform: "rotate(-90)", "stroke-dasharray": TIMER_C.toFixed(1), "stroke-dashoffset": 0 }, timer);
      svg("circle", { class: "peer-halo", r: NODE_R + 5 }, g);
      const body = svg("path", { class: "peer-body", d: CIRCLE }, g);
      svg("path", { class: "peer-crown", d: CROWN, transform: `translate(0,${-NODE_R - 14})` }, g);
      const cross = svg("g", { class: "peer-cross", transform: `translate(${NODE_R - 6},${-NODE_R + 6})` }, g);
      svg("circle", { r: 9 }, cross);
      svg("path", { d: "M-4,-4l8,8m0,-8l-8,8" }, cross);
      const name = svg("text", { class: "peer-id", y: -3 }, g);
      name.textContent = peerName(id);
      const role = svg("text", { class: "peer-role", y: 14 }, g);
      const info = svg("text", { class: "peer-info", "data-peer": id, x, y: y + TIMER_R + 17, "text-anchor": "middle" }, this.labels);
      const line1 = svg("tspan", { x }, info);
      const line2 = svg("tspan", { x, dy: 16 }, info);
      this.nodes.push({ id, g, timer, arc, body, role, line1, line2, state: null, key: "", elapsed: 0, timeout: 0 });
    }
  }

  // update redraws what changed in the peers and the links.
  update(model, changed) {
    const snap = model.snapshot;
    if (!snap) return;
    if (snap.peers.length !== this.nodes.length) this.build(snap.peers.length);
    this.snapTime = snap.time;
    for (const p of snap.peers) {
      const n = this.nodes[p.id - 1];
      n.elapsed = p.electionElapsedMs || 0;
      n.timeout = p.up ? p.electionTimeoutMs || 0 : 0;
      const key = `${p.role}|${p.up}|${p.term}|${p.vote}|${lockKey(p)}`;
      if (key === n.key) continue;
      n.key = key;
      const role = p.up ? p.role : "crashed";
      setAttr(n.g, "class", `peer ${role}`);
      setAttr(n.timer, "class", `timer ${role}`);
      setAttr(n.g, "data-term", p.term);
      setAttr(n.body, "d", role === "candidate" ? DIAMOND : CIRCLE);
      setText(n.role, role);
      setText(n.line1, `term ${p.term} · ${p.vote ? `voted ${peerName(p.vote)}` : "no vote"}`);
      setText(n.line2, p.up ? (p.lock && p.lock.locked ? `lock: ${p.lock.holder}` : "lock: free") : "lock state lost");
      setAttr(n.line2, "class", p.up ? "" : "lost");
      setAttr(n.g, "aria-label", peerLabel(p));
    }
    for (const id of changed.termUp || []) {
      const g = this.nodes[id - 1].g;
      g.classList.remove("flash");
      // Reading layout restarts the animation on an element that had it.
      void g.getBoundingClientRect();
      g.classList.add("flash");
    }
    const cut = cutSet(snap);
    for (const l of this.links) {
      const isCut = cut(l.a, l.b) || cut(l.b, l.a);
      if (isCut === l.cut) continue;
      l.cut = isCut;
      l.g.classList.toggle("cut", isCut);
      l.title.textContent = isCut
        ? `${peerName(l.a)} – ${peerName(l.b)}: cut${oneWay(cut, l)}. Click to restore it`
        : `${peerName(l.a)} – ${peerName(l.b)}: click to cut this link`;
    }
  }

  // frame moves the election timers to virtual time t, between snapshots.
  frame(t) {
    const since = Math.max(0, t - this.snapTime);
    for (const n of this.nodes) {
      if (!n.timeout) continue;
      const left = Math.max(0, 1 - (n.elapsed + since) / n.timeout);
      const offset = (TIMER_C * (1 - left)).toFixed(0);
      if (offset === n.offset) continue;
      n.offset = offset;
      n.arc.setAttribute("stroke-dashoffset", offset);
      const soon = left < 0.2;
      if (soon !== n.soon) {
        n.soon = soon;
        n.arc.classList.toggle("soon", soon);
      }
    }
  }

  node(id) {
    return this.nodes[id - 1];
  }

  // isCut says whether either direction of the link a–b is cut.
  isCut(a, b) {
    const l = this.links.find((x) => (x.a === a && x.b === b) || (x.a === b && x.b === a));
    return Boolean(l && l.cut);
  }
}

function lockKey(p) {
  return p.lock && p.lock.locked ? p.lock.holder : "";
}

function peerLabel(p) {
  const role = p.up ? p.role : "crashed";
  const parts = [`${peerName(p.id)}: ${role}`, `term ${p.term}`, p.vote ? `voted for ${peerName(p.vote)}` : "no vote"];
  if (p.up) parts.push(p.lock && p.lock.locked ? `lock held by ${p.lock.holder}` : "lock free");
  parts.push(`log up to index ${p.lastIndex || 0}`);
  return `${parts.join(", ")}. Press Enter for actions.`;
}

// cutSet answers whether messages from a to b are blocked, by a cut link
// or by the partition.
function cutSet(snap) {
  const cuts = new Set((snap.cuts || []).map(([a, b]) => `${a}>${b}`));
  const group = new Map();
  (snap.groups || []).forEach((g, i) => g.forEach((id) => group.set(id, i)));
  return (a, b) => cuts.has(`${a}>${b}`) || (group.size > 0 && group.get(a) !== group.get(b));
}

function oneWay(cut, l) {
  const ab = cut(l.a, l.b);
  const ba = cut(l.b, l.a);
  if (ab && !ba) return ` (only ${peerName(l.a)} → ${peerName(l.b)})`;
  if (ba && !ab) return ` (only ${peerName(l.b)} → ${peerName(l.a)})`;
  return "";
}
