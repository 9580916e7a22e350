// The peers in a ring and the links between them. Role is told three ways:
// the body's shape (circle, diamond, crowned double circle, hatched and
// dashed), its label, and its colour. Elements are built once per cluster
// size and then only their changed attributes are touched.

import { svg, setAttr, setText, layout, NODE_R, TIMER_R } from "./svg.js";
import { peerName, roleName, short, shownRole } from "./describe.js";
import { placeLabels, serverBox, SIZES } from "./labels.js";

const CIRCLE = `M${-NODE_R},0a${NODE_R},${NODE_R} 0 1,0 ${2 * NODE_R},0a${NODE_R},${NODE_R} 0 1,0 ${-2 * NODE_R},0z`;
const D = NODE_R + 5; // the candidate diamond's half diagonal
const DIAMOND = `M0,${-D}L${D},0L0,${D}L${-D},0z`;
const CROWN = "M-10,5L-12,-6L-5,-1L0,-9L5,-1L12,-6L10,5z";
const TIMER_C = 2 * Math.PI * TIMER_R;

export class Ring {
  constructor({ box, ring, live, labels, still }, handlers) {
    this.box = box; // the element whose size the drawing takes
    this.still = still; // reduced motion: timers run down in steps
    this.root = ring;
    this.live = live;
    this.labels = labels; // the labels under each server, drawn over the messages
    this.timerLayer = live.querySelector("[data-timers]");
    this.linkLayer = ring.querySelector("[data-links]");
    this.peerLayer = ring.querySelector("[data-peer-layer]");
    this.handlers = handlers; // {peer(id, element), link(a, b), moved(at)}
    this.nodes = [];
    this.links = [];
    this.at = [];
    this.clear = []; // boxes of the servers and their labels: [x, y, w, h]
    this.textW = 0; // the widest line of a label so far, at the largest size
    this.size = { w: 0, h: 0 };
    this.snapTime = 0;
    // The labels' font, read now, while the ring is still hidden: read as
    // the first run is drawn, it would make the page lay itself out
    // before it has all of its content, and again after.
    const style = getComputedStyle(labels);
    this.font = `${style.fontWeight} ${SIZES[0].font}px ${style.fontFamily}`;
    this.peerLayer.addEventListener("click", (e) => {
      const g = e.target.closest(".peer");
      if (g) handlers.peer(Number(g.dataset.peer), g);
    });
    // Enter opens a server's menu (Space plays and pauses, wherever the
    // focus is). The menu opens when the key comes up, so the key press
    // cannot also press the menu's first button, which then has the focus.
    this.peerLayer.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && e.target.closest(".peer")) e.preventDefault();
    });
    this.peerLayer.addEventListener("keyup", (e) => {
      const g = e.target.closest(".peer");
      if (g && e.key === "Enter") handlers.peer(Number(g.dataset.peer), g);
    });
    this.linkLayer.addEventListener("click", (e) => {
      const g = e.target.closest(".link");
      if (g) handlers.link(Number(g.dataset.a), Number(g.dataset.b));
    });
    // The drawing follows its box: laid out again, not scaled, so that its
    // text stays readable however small the ring gets. It reports the
    // box's first size too, after the page's first layout with the ring.
    new ResizeObserver((entries) => {
      const r = entries[0].contentRect;
      const w = Math.round(r.width);
      const h = Math.round(r.height);
      if (w === this.size.w && h === this.size.h) return;
      this.size = { w, h };
      if (this.nodes.length) {
        this.place();
        handlers.moved(this.at, this.clear);
      }
    }).observe(box);
  }

  // build makes the elements for n peers and every link between them.
  build(n) {
    this.linkLayer.replaceChildren();
    this.peerLayer.replaceChildren();
    this.timerLayer.replaceChildren();
    this.labels.replaceChildren();
    // Until the box has been laid out (the first run), the drawing takes a
    // stand-in size: the box's observer below places it for the real one
    // before the page is painted, without a layout of its own first.
    this.links = [];
    for (let a = 1; a <= n; a++) {
      for (let b = a + 1; b <= n; b++) {
        const g = svg("g", { class: "link", "data-a": a, "data-b": b }, this.linkLayer);
        const title = svg("title", {}, g);
        title.textContent = `${peerName(a)} – ${peerName(b)}: click to cut this link`;
        const line = svg("line", { class: "link-line" }, g);
        const hit = svg("line", { class: "link-hit" }, g);
        const mark = svg("g", { class: "link-cutmark" }, g);
        svg("circle", { class: "cutmark-bg", r: 7 }, mark);
        svg("path", { class: "cutmark-x", d: "M-3,-3l6,6m0,-6l-6,6" }, mark);
        this.links.push({ a, b, g, title, line, hit, mark, cut: false });
      }
    }
    this.nodes = [];
    for (let id = 1; id <= n; id++) {
      const g = svg("g", { class: "peer follower", "data-peer": id, tabindex: 0, role: "button" }, this.peerLayer);
      svg("circle", { class: "peer-focus", r: TIMER_R + 5 }, g);
      const timer = svg("g", { class: "timer follower" }, this.timerLayer);
      svg("circle", { class: "timer-track", r: TIMER_R }, timer);
      const arc = svg("circle", { class: "timer-arc", r: TIMER_R, transform: "rotate(-90)", "stroke-dasharray": TIMER_C.toFixed(1), "stroke-dashoffset": 0 }, timer);
      svg("circle", { class: "peer-halo", r: NODE_R + 4 }, g);
      const body = svg("path", { class: "peer-body", d: CIRCLE }, g);
      svg("path", { class: "peer-crown", d: CROWN, transform: `translate(0,${-NODE_R - 10})` }, g);
      const cross = svg("g", { class: "peer-cross", transform: `translate(${NODE_R - 4},${-NODE_R + 4})` }, g);
      svg("circle", { r: 7 }, cross);
      svg("path", { d: "M-3,-3l6,6m0,-6l-6,6" }, cross);
      const name = svg("text", { class: "peer-id", y: 1 }, g);
      name.textContent = peerName(id);
      const role = svg("text", { class: "peer-role", y: 12 }, g);
      const info = svg("text", { class: "peer-info", "data-peer": id, "text-anchor": "middle" }, this.labels);
      const tip = svg("title", {}, info);
      const line1 = svg("tspan", {}, info);
      const line2 = svg("tspan", { dy: 14 }, info);
      this.nodes.push({ id, g, timer, arc, body, role, info, tip, line1, line2, state: null, key: "", label: "", elapsed: 0, timeout: 0 });
    }
    // Room for the labels of a run's first terms; a longer line (a long
    // client name, term 10) makes room for itself when it comes.
    this.textW = Math.max(...WIDEST.map((t) => this.measure(t)));
    this.place();
  }

  // place lays the peers out for the box's size and moves everything there.
  place() {
    const n = this.nodes.length;
    const { at, box } = layout(n, this.size.w || 400, this.size.h || 300);
    this.at = at;
    const viewBox = `${box.x.toFixed(1)} ${box.y.toFixed(1)} ${box.w.toFixed(1)} ${box.h.toFixed(1)}`;
    for (const el of [this.root, this.live, this.labels]) el.setAttribute("viewBox", viewBox);
    for (const l of this.links) {
      const p = at[l.a - 1];
      const q = at[l.b - 1];
      for (const line of [l.line, l.hit]) {
        line.setAttribute("x1", p.x.toFixed(1));
        line.setAttribute("y1", p.y.toFixed(1));
        line.setAttribute("x2", q.x.toFixed(1));
        line.setAttribute("y2", q.y.toFixed(1));
      }
      l.mark.setAttribute("transform", `translate(${((p.x + q.x) / 2).toFixed(1)},${((p.y + q.y) / 2).toFixed(1)})`);
    }
    const { size, spots } = placeLabels(at, box, (sz) => Math.ceil((this.textW * sz.font) / SIZES[0].font) + HALO);
    this.labels.style.setProperty("--label-size", `${size.font}px`);
    // What a burst's word must leave clear: each server and its labels.
    this.clear = [...at.map(serverBox), ...spots.map((s) => s.box)];
    for (const node of this.nodes) {
      const { x, y } = at[node.id - 1];
      const t = `translate(${x.toFixed(1)},${y.toFixed(1)})`;
      node.g.setAttribute("transform", t);
      node.timer.setAttribute("transform", t);
      const spot = spots[node.id - 1];
      node.info.setAttribute("text-anchor", spot.anchor);
      node.info.setAttribute("y", spot.y.toFixed(1));
      node.line2.setAttribute("dy", size.line);
      for (const el of [node.info, node.line1, node.line2]) el.setAttribute("x", spot.x.toFixed(1));
    }
  }

  // measure is the width of a line of a label at the largest size, in px,
  // from the labels' font (a canvas measures text without a layout).
  measure(text) {
    if (!this.ruler) {
      const canvas = typeof OffscreenCanvas === "function" ? new OffscreenCanvas(1, 1) : document.createElement("canvas");
      this.ruler = canvas.getContext("2d");
      this.ruler.font = this.font;
    }
    return this.ruler.measureText(text).width;
  }

  // update redraws what changed in the peers and the links.
  update(model, changed) {
    const snap = model.snapshot;
    if (!snap) return;
    if (snap.peers.length !== this.nodes.length) this.build(snap.peers.length);
    this.snapTime = snap.time;
    let wider = 0;
    for (const p of snap.peers) {
      const n = this.nodes[p.id - 1];
      n.elapsed = p.electionElapsedMs || 0;
      n.timeout = p.up ? p.electionTimeoutMs || 0 : 0;
      // What a screen reader hears changes with the log too, so it has a
      // key of its own; the drawing changes only with the rest.
      const label = peerLabel(p, model.standing(p.id));
      if (label !== n.label) {
        n.label = label;
        n.g.setAttribute("aria-label", label);
      }
      // A learner catches up before it votes; a server out of the
      // cluster (removed, or not added yet) is drawn faint.
      const standing = model.standing(p.id);
      const key = `${p.role}|${p.up}|${p.term}|${p.vote}|${lockKey(p)}|${standing}`;
      if (key === n.key) continue;
      n.key = key;
      const role = p.up ? p.role : "crashed";
      const member = standing === "learner" || standing === "out" ? ` ${standing}` : "";
      setAttr(n.g, "class", `peer ${role}${member}${n.culprit ? " culprit" : ""}`);
      setAttr(n.g, "data-standing", standing);
      setAttr(n.timer, "class", `timer ${role}`);
      setAttr(n.g, "data-term", p.term);
      setAttr(n.body, "d", role === "candidate" || role === "precandidate" ? DIAMOND : CIRCLE);
      setText(n.role, shownRole(p, standing));
      const line1 = `term ${p.term} · ${p.vote ? `voted ${peerName(p.vote)}` : "no vote"}`;
      const holder = p.lock && p.lock.locked ? p.lock.holder : "";
      const line2 = p.up ? (holder ? `lock: ${short(holder)}` : "lock: free") : "lock state lost";
      setText(n.line1, line1);
      setText(n.line2, line2);
      wider = Math.max(wider, this.measure(line1), this.measure(line2));
      setText(n.tip, `${peerName(p.id)}: ${line1}, ${p.up ? (holder ? `lock held by ${holder}` : "lock free") : "lock state lost"}`);
      setAttr(n.line2, "class", !p.up ? "lost" : holder && short(holder) !== holder ? "cut" : "");
    }
    if (wider > this.textW) {
      this.textW = wider;
      this.place();
      this.handlers.moved(this.at, this.clear);
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
      let left = Math.max(0, 1 - (n.elapsed + since) / n.timeout);
      if (this.still.matches) left = Math.ceil(left * 8) / 8; // in eighths, with reduced motion
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

  // highlight marks the servers a violation involves.
  highlight(ids) {
    for (const n of this.nodes) {
      n.culprit = ids.includes(n.id);
      n.g.classList.toggle("culprit", n.culprit);
    }
  }

  // isCut says whether either direction of the link a–b is cut.
  isCut(a, b) {
    const l = this.links.find((x) => (x.a === a && x.b === b) || (x.a === b && x.b === a));
    return Boolean(l && l.cut);
  }
}

// The lines a label of a run's first terms may hold at their widest; the
// halo around the text (stroke-width 4 in style.css) adds to its width.
const WIDEST = ["term 9 · voted s9", "lock state lost"];
const HALO = 4;

function lockKey(p) {
  return p.lock && p.lock.locked ? p.lock.holder : "";
}

function peerLabel(p, standing) {
  const role = roleName(p) + (standing === "learner" ? ", a learner catching up (it does not vote yet)" : standing === "out" ? ", not in the cluster" : "");
  const parts = [`${peerName(p.id)}: ${role}`, `term ${p.term}`, p.vote ? `voted for ${peerName(p.vote)}` : "no vote"];
  if (p.up) parts.push(p.lock && p.lock.locked ? `lock held by ${p.lock.holder}` : "lock free");
  parts.push(`log up to index ${p.lastIndex || 0}`);
  if (p.up) parts.push(`committed to ${p.commit || 0}`);
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
