// The space-time diagram: one vertical line per server, time running down,
// each message an arrow from its send to its delivery (a lost one ends in
// a cross where it was lost), elections, commits and crashes marked on the
// lines, and the instant on screen as a line across. While the run plays
// it shows the last seconds that fit, following the instant; paused, the
// whole run (as far as the trace's window reaches), to scroll and zoom.
//
// It reads the trace's events only (raft/sim/TRACE.md, "A message's life"):
// each message is its send and its one end. Elements are drawn at absolute
// times (y = t × scale) inside a group that moves, so following the run
// moves one transform; only the arrows still in flight change each frame.

import { svg, setProp, setText } from "./svg.js";
import { messageKind, messageName, peerName } from "./describe.js";

const MAX_LIVES = 20000; // messages kept (the trace keeps 20,000 events)
const TOP = 10; // px above the first instant drawn
const AXIS = 44; // px for the time labels on the left
const ZOOMS = [0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4]; // px per ms
// The default, 1.6 px per ms: a message's 10 to 30 ms of latency slant
// its arrow clearly, and 50 ms between heartbeats leave room to read.
const ZOOM = 6;
const NOTCH_PX = 50; // Ctrl + wheel: this much scrolling zooms one step
const LINE_PX = 40; // a wheel's "line", where it counts in lines

export class SpaceTime {
  // act: {pick(id) selects a message in flight in the ring, events(after)
  // reads the trace (the API's events call), save(svgText)}
  constructor(root, act) {
    this.root = root;
    this.act = act;
    this.scroller = root.querySelector("[data-st-scroll]");
    this.head = root.querySelector("[data-st-head]");
    this.svg = root.querySelector("[data-st-svg]");
    this.info = root.querySelector("[data-st-info]");
    this.span = root.querySelector("[data-st-span]");
    this.zoomIn = root.querySelector("[data-st-zoom='in']");
    this.zoomOut = root.querySelector("[data-st-zoom='out']");
    this.zoom = ZOOM;
    this.zoomIn.addEventListener("click", () => this.setZoom(this.zoom + 1));
    this.zoomOut.addEventListener("click", () => this.setZoom(this.zoom - 1));
    root.querySelector("[data-st-save]").addEventListener("click", () => act.save(this.exportSVG()));
    // Ctrl + wheel zooms about the pointer. A mouse's notch is one step; a
    // touchpad's pinch, many small events, zooms by what they add up to.
    this.wheeled = 0;
    this.scroller.addEventListener("wheel", (e) => {
      if (!e.ctrlKey) return;
      e.preventDefault();
      const dy = e.deltaY * (e.deltaMode === 1 ? LINE_PX : e.deltaMode === 2 ? this.scroller.clientHeight : 1);
      if (Math.sign(dy) !== Math.sign(this.wheeled)) this.wheeled = 0;
      this.wheeled += dy;
      if (Math.abs(this.wheeled) < NOTCH_PX) return;
      this.wheeled = 0;
      this.setZoom(this.zoom + (dy < 0 ? 1 : -1), e.clientY - this.scroller.getBoundingClientRect().top);
    }, { passive: false });
    // While the diagram has the focus, - and + zoom it (elsewhere they set
    // the speed: keys.js leaves a key this has taken).
    root.addEventListener("keydown", (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      const step = { "-": -1, _: -1, "+": 1, "=": 1 }[e.key];
      if (!step) return;
      e.preventDefault();
      this.setZoom(this.zoom + step);
    });
    // A view resized (the window, the layout) is drawn again, and keeps
    // the current instant in view if it was; a scroll says whether it is.
    this.nowSeen = true;
    this.seenView = 0;
    this.scroller.addEventListener("scroll", () => this.remember(), { passive: true });
    new ResizeObserver(() => {
      if (this.shown && this.layer) this.draw(this.now, this.playing, this.nowSeen);
    }).observe(this.scroller);
    this.svg.addEventListener("click", (e) => {
      const g = e.target.closest(".st-msg");
      if (g) this.pick(Number(g.dataset.id));
    });
    this.peers = 0;
    this.shown = false;
    this.drawnAt = -1; // the instant last drawn: the view follows it when it moves
    this.playing = false;
    this.selected = 0;
    this.culprits = new Set();
    this.clear(0);
  }

  // clear forgets everything: a new run.
  clear(run) {
    this.run = run;
    this.lastSeq = 0;
    this.lives = new Map(); // id -> {id, msg, sent, arrive, end, fate, reason, dup}
    this.marks = []; // {t, peer, kind, text}
    this.start = 0; // the earliest instant drawn: later once old messages are forgotten
    this.downs = new Map(); // peer -> [[crashed, restarted or Infinity], ...]
    this.born = new Map(); // peer -> when it started, for a server added during the run
    this.outs = new Map(); // peer -> [[out of the cluster, added or Infinity], ...]
    this.drawn = new Map(); // id -> {g, line, key}
    this.flying = new Set(); // ids drawn as in flight
    this.svg.replaceChildren();
    this.layer = null;
    this.now = 0;
    this.from = 0;
    this.drawnAt = -1;
    this.built = "";
    this.view = 200;
    this.shift = "";
  }

  // layout sets the number of servers.
  layout(n) {
    this.peers = n;
    this.built = "";
  }

  // take folds new events in (any seq already seen is skipped).
  take(run, events) {
    if (run !== this.run) this.clear(run);
    for (const ev of events) {
      if (ev.seq <= this.lastSeq) continue;
      this.lastSeq = ev.seq;
      this.fold(ev);
    }
  }

  fold(ev) {
    switch (ev.kind) {
      case "send":
        this.lives.set(ev.id, { id: ev.id, msg: ev.msg, sent: ev.time, arrive: ev.arrive, end: -1, fate: "", reason: "", dup: Boolean(ev.dup) });
        if (this.lives.size > MAX_LIVES) this.forget();
        break;
      case "deliver":
      case "drop": {
        const l = this.lives.get(ev.id);
        if (l) Object.assign(l, { end: ev.time, fate: ev.kind, reason: ev.reason || "" });
        break;
      }
      case "role":
        if (ev.role === "leader" || ev.role === "candidate") this.marks.push({ t: ev.time, peer: ev.peer, kind: ev.role, text: `${ev.role === "leader" ? "leads" : "stands"} t${ev.term}` });
        break;
      case "commit":
        this.marks.push({ t: ev.time, peer: ev.peer, kind: "commit", text: `commit ${ev.index}` });
        break;
      case "crash":
        this.marks.push({ t: ev.time, peer: ev.peer, kind: "crash", text: "crashed" });
        this.downs.set(ev.peer, [...(this.downs.get(ev.peer) || []), [ev.time, Infinity]]);
        break;
      case "restart": {
        this.marks.push({ t: ev.time, peer: ev.peer, kind: "restart", text: "restarted" });
        const d = this.downs.get(ev.peer);
        if (d && d.length) d[d.length - 1][1] = ev.time;
        break;
      }
      case "change": {
        // A server added during the run starts then (op new), out of the
        // cluster until the leader adds it; a removed one is out from the
        // leader's change on. A refused change (a reason) changes nothing.
        if (ev.reason) break;
        const id = ev.op === "new" ? ev.peer : ev.server;
        if (ev.op === "new") this.born.set(id, ev.time);
        if (ev.op === "new" || ev.op === "remove") this.outs.set(id, [...(this.outs.get(id) || []), [ev.time, Infinity]]);
        if (ev.op === "add") {
          const o = this.outs.get(id);
          if (o && o.length && o[o.length - 1][1] === Infinity) o[o.length - 1][1] = ev.time;
        }
        const text = { new: "started", add: "learner", promote: "voter", remove: "removed" }[ev.op];
        if (!text) break;
        // Started and added at once: one mark says both.
        const last = this.marks[this.marks.length - 1];
        if (last && last.kind === "member" && last.peer === id && last.t === ev.time) last.text += `, ${text}`;
        else this.marks.push({ t: ev.time, peer: id, kind: "member", text });
        break;
      }
      case "violation":
        this.marks.push({ t: ev.time, peer: ev.peer, kind: "violation", text: `✗ ${ev.property || "violation"}` });
        break;
    }
  }

  // forget drops the oldest tenth of the messages and the marks before them.
  forget() {
    const ids = [...this.lives.keys()].slice(0, MAX_LIVES / 10);
    for (const id of ids) this.lives.delete(id);
    const first = this.lives.values().next().value;
    if (first) {
      this.start = first.sent;
      this.marks = this.marks.filter((m) => m.t >= first.sent);
    }
  }

  // backfill reads the trace up to the simulator's cursor when the page's
  // own calls have not brought every event (after a long replay): the
  // paused diagram shows the whole run.
  async backfill(run, seq) {
    while (this.run === run && this.lastSeq < seq) {
      const r = await this.act.events(this.lastSeq);
      if (r.error || r.run !== run || !r.events.length) return;
      this.take(run, r.events);
      if (!r.more) return;
    }
  }

  // show is called when the diagram's tab opens or closes.
  visible(on) {
    this.shown = on;
    if (on) this.built = "";
  }

  // setZoom zooms to level z, keeping in place the instant at px at from
  // the view's top (by default the current instant if in view, else the
  // middle of the view). The buttons at a limit say so, and keep the focus
  // (aria-disabled rather than disabled).
  setZoom(z, at) {
    z = Math.max(0, Math.min(ZOOMS.length - 1, z));
    if (z === this.zoom) return;
    const view = this.scroller.clientHeight;
    const top = this.scroller.scrollTop;
    if (at === undefined) {
      const y = (this.now - this.from) * this.scale + TOP - top;
      at = y >= 0 && y <= view ? y : view / 2;
    }
    const t = this.from + (top + at - TOP) / this.scale;
    this.zoom = z;
    this.zoomIn.setAttribute("aria-disabled", String(z === ZOOMS.length - 1));
    this.zoomOut.setAttribute("aria-disabled", String(z === 0));
    this.built = "";
    this.draw(this.now, this.playing);
    if (this.shown && !this.playing) this.scroller.scrollTop = Math.max(0, (t - this.from) * this.scale + TOP - at);
  }

  get scale() {
    return ZOOMS[this.zoom];
  }

  // draw brings the diagram to instant now: while playing, the last
  // seconds that fit; paused, the whole run. Cheap when little changed.
  draw(now, playing, scroll = false) {
    this.now = now;
    this.playing = playing;
    if (!this.shown || !this.peers) return;
    const width = Math.max(200, this.scroller.clientWidth);
    const view = Math.max(80, this.scroller.clientHeight);
    this.view = view;
    const key = `${this.peers}|${width}|${this.zoom}`;
    if (key !== this.built) this.build(width, key);
    // Paused: from the start, or the oldest message kept.
    const from = playing ? this.follow(now) : Math.min(this.start, now);
    this.from = from;
    const height = playing ? view - 4 : Math.max(view - 4, (now - from) * this.scale + 2 * TOP);
    this.svg.setAttribute("height", String(height));
    if (!playing) {
      this.shift = "";
      this.layer.setAttribute("transform", `translate(0,${(TOP - from * this.scale).toFixed(1)})`);
    }
    this.sync(from, now);
    this.frame(now);
    // The instant on screen stays in view: asked for, or when it moved out
    // of it. Else the view stays where the student scrolled it.
    const moved = now !== this.drawnAt;
    this.drawnAt = now;
    const y = (now - from) * this.scale + TOP;
    const top = this.scroller.scrollTop;
    if (scroll || playing || (moved && (y < top || y > top + view - TOP))) this.scroller.scrollTop = Math.max(0, y - view * 0.7);
    this.seenView = 0;
    this.remember();
    this.say();
  }

  // remember notes whether the current instant is in view, after a draw or
  // the student's scroll (a scroll that comes of a resize, the view's
  // height changed, leaves that to the redraw).
  remember() {
    const view = this.scroller.clientHeight;
    if (this.seenView && view !== this.seenView) return;
    this.seenView = view;
    const y = (this.now - this.from) * this.scale + TOP;
    const top = this.scroller.scrollTop;
    this.nowSeen = y >= top && y <= top + view;
  }

  // say tells how much time the diagram holds and, paused, how much of it
  // the view shows at this zoom.
  say() {
    if (!this.shown || !this.peers) return;
    const all = this.now - this.from;
    if (this.playing) {
      setText(this.span, `the last ${seconds(all)}`);
      return setProp(this.span, "title", `Playing, the diagram follows the run: it shows the last ${seconds(all)}. Pause to scroll through the whole run.`);
    }
    const seen = (this.scroller.clientHeight - 2 * TOP) / this.scale;
    // Short enough for one line beside the buttons in a 264 px dock; the
    // title says it in full.
    setText(this.span, seen >= all ? `the whole run: ${seconds(all)}` : `${seconds(seen)} of ${seconds(all)} in view`);
    setProp(this.span, "title", seen >= all ? `Paused, the diagram holds the whole run: ${seconds(all)}.` : `Paused, the diagram holds the whole run, ${seconds(all)}; ${seconds(seen)} of it are in view at this zoom. Scroll for the rest; − and + zoom.`);
  }

  // follow keeps the instant at the foot of the view while playing, and
  // says from when the view shows.
  follow(now) {
    const from = Math.max(0, now - (this.view - 2 * TOP - 4) / this.scale);
    const key = `translate(0,${(TOP - from * this.scale).toFixed(1)})`;
    if (key !== this.shift) {
      this.shift = key;
      this.layer.setAttribute("transform", key);
    }
    return from;
  }

  // build lays out the columns: a line per server, its name above.
  build(width, key) {
    this.built = key;
    this.width = width;
    this.svg.replaceChildren();
    this.svg.setAttribute("width", String(width));
    this.head.setAttribute("width", String(width));
    this.head.replaceChildren();
    const col = (width - AXIS - 16) / this.peers;
    this.x = (id) => AXIS + col * (id - 0.5);
    const defs = svg("defs", {}, this.svg);
    const head = svg("marker", { id: "st-head", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, defs);
    svg("path", { class: "st-arrowhead", d: "M0,1L10,5L0,9z" }, head);
    this.layer = svg("g", { class: "st-layer" }, this.svg);
    this.ticks = svg("g", { class: "st-ticks" }, this.layer);
    this.lines = svg("g", { class: "st-lines" }, this.layer);
    this.markLayer = svg("g", { class: "st-marks" }, this.layer);
    this.msgLayer = svg("g", { class: "st-msgs" }, this.layer);
    this.nowLine = svg("line", { class: "st-now", x1: AXIS - 6, x2: width }, this.layer);
    for (let id = 1; id <= this.peers; id++) {
      const t = svg("text", { class: "st-name", x: this.x(id).toFixed(1), y: 14, "text-anchor": "middle" }, this.head);
      t.textContent = peerName(id);
    }
    this.drawn.clear();
    this.flying.clear();
    this.tickKey = "";
  }

  // sync draws what lies in [from, to] and removes the rest.
  sync(from, to) {
    const s = this.scale;
    const y = (t) => (t * s).toFixed(1);
    // The servers' lines: from when each started, solid while up and in
    // the cluster, dotted red while crashed, faint and dashed while out of
    // the cluster (not added yet, or removed).
    this.lines.replaceChildren();
    for (let id = 1; id <= this.peers; id++) {
      const x = this.x(id).toFixed(1);
      for (const [a, b, state] of stretches(Math.max(from, this.born.get(id) ?? from), to, this.downs.get(id) || [], this.outs.get(id) || [])) {
        svg("line", { class: `st-line${state ? ` ${state}` : ""}`, x1: x, x2: x, y1: y(a), y2: y(b), "data-peer": id }, this.lines);
      }
    }
    this.axis(from, to);
    this.drawMarks(from, to);
    const want = new Set();
    for (const l of this.lives.values()) {
      if (l.sent > to || (l.end >= 0 && l.end < from) || l.msg.to > this.peers || l.msg.from > this.peers) continue;
      want.add(l.id);
      const k = `${l.end}|${l.id === this.selected}|${this.culprits.has(l.id)}`;
      let d = this.drawn.get(l.id);
      if (!d) {
        d = this.arrow(l);
        this.drawn.set(l.id, d);
      } else if (d.key === k) continue;
      d.key = k;
      this.place(d, l);
    }
    for (const [id, d] of this.drawn) {
      if (want.has(id)) continue;
      d.g.remove();
      this.drawn.delete(id);
      this.flying.delete(id);
    }
  }

  arrow(l) {
    const kind = messageKind(l.msg);
    const g = svg("g", { class: `st-msg ${kind}`, "data-id": l.id }, this.msgLayer);
    const title = svg("title", {}, g);
    title.textContent = `#${l.id} ${messageName(l.msg)}, ${peerName(l.msg.from)} → ${peerName(l.msg.to)}`;
    const hit = svg("line", { class: "st-hit" }, g);
    const line = svg("line", { class: "st-arrow" }, g);
    return { g, hit, line, cross: null, key: "" };
  }

  // place draws a message from its send to its end, or to now in flight.
  place(d, l) {
    const flying = l.end < 0;
    d.g.classList.toggle("inflight", flying);
    d.g.classList.toggle("lost", l.fate === "drop");
    d.g.classList.toggle("selected", l.id === this.selected);
    d.g.classList.toggle("culprit", this.culprits.has(l.id));
    if (flying) this.flying.add(l.id);
    else this.flying.delete(l.id);
    const [x2, t2] = this.tip(l, flying ? this.now : l.end);
    this.ends(d, l, x2, t2);
    if (l.fate === "drop" && !d.cross) {
      d.cross = svg("path", { class: "st-cross", d: "M-4,-4l8,8m0,-8l-8,8" }, d.g);
      d.cross.setAttribute("transform", `translate(${x2.toFixed(1)},${(t2 * this.scale).toFixed(1)})`);
    }
    if (l.fate === "deliver") d.line.setAttribute("marker-end", "url(#st-head)");
  }

  ends(d, l, x2, t2) {
    const a = { x1: this.x(l.msg.from).toFixed(1), y1: (l.sent * this.scale).toFixed(1), x2: x2.toFixed(1), y2: (t2 * this.scale).toFixed(1) };
    for (const el of [d.line, d.hit]) for (const [k, v] of Object.entries(a)) el.setAttribute(k, v);
  }

  // tip is where a message is at time t, on its way from sender to
  // destination (arrive is when it would reach it).
  tip(l, t) {
    const f = l.arrive > l.sent ? Math.min(1, Math.max(0, (t - l.sent) / (l.arrive - l.sent))) : 1;
    const x1 = this.x(l.msg.from);
    const x2 = this.x(l.msg.to);
    return [x1 + (x2 - x1) * f, l.sent + (l.arrive - l.sent) * f];
  }

  // frame moves the instant's line and the arrows in flight to t.
  frame(t) {
    if (!this.shown || !this.layer) return;
    this.now = t;
    if (this.playing) this.follow(t);
    const y = (t * this.scale).toFixed(1);
    this.nowLine.setAttribute("y1", y);
    this.nowLine.setAttribute("y2", y);
    for (const id of this.flying) {
      const l = this.lives.get(id);
      const d = this.drawn.get(id);
      if (!l || !d) continue;
      const [x2, t2] = this.tip(l, Math.max(t, l.sent));
      this.ends(d, l, x2, t2);
    }
  }

  axis(from, to) {
    const step = niceStep(60 / this.scale);
    const k = `${Math.floor(from / step)}|${Math.ceil(to / step)}|${step}`;
    if (k === this.tickKey) return;
    this.tickKey = k;
    this.ticks.replaceChildren();
    for (let t = Math.ceil(from / step) * step; t <= to + step; t += step) {
      const y = (t * this.scale).toFixed(1);
      svg("line", { class: "st-tick", x1: AXIS - 6, x2: this.width, y1: y, y2: y }, this.ticks);
      const label = svg("text", { class: "st-time", x: AXIS - 8, y, "text-anchor": "end", "dominant-baseline": "central" }, this.ticks);
      label.textContent = t >= 1000 ? `${(t / 1000).toFixed(step >= 1000 ? 0 : step >= 100 ? 1 : step >= 10 ? 2 : 3)} s` : `${t} ms`;
    }
  }

  drawMarks(from, to) {
    this.markLayer.replaceChildren();
    // Commits are many: on a narrow column, only the leader's are named.
    for (const m of this.marks) {
      if (m.t < from || m.t > to || m.peer > this.peers) continue;
      const x = this.x(m.peer);
      const y = m.t * this.scale;
      const g = svg("g", { class: `st-mark ${m.kind}`, transform: `translate(${x.toFixed(1)},${y.toFixed(1)})` }, this.markLayer);
      if (m.kind === "crash") svg("path", { d: "M-6,-6l12,12m0,-12l-12,12" }, g);
      else if (m.kind === "commit") svg("path", { d: "M-5,0h10" }, g);
      else if (m.kind === "member") svg("rect", { x: -4, y: -4, width: 8, height: 8 }, g);
      else svg("circle", { r: m.kind === "leader" ? 5 : 4 }, g);
      if (m.kind !== "commit" || this.scale >= 0.4) {
        // The last server's words go left of its line, within the diagram.
        const last = m.peer === this.peers && this.peers > 1;
        const text = svg("text", { x: last ? -7 : 7, y: 0, "dominant-baseline": "central", "text-anchor": last ? "end" : "start" }, g);
        text.textContent = m.text;
      }
    }
  }

  // select marks message id (0: none), from the ring or a click here.
  select(id) {
    this.selected = id;
    for (const [i, d] of this.drawn) d.g.classList.toggle("selected", i === id);
    const l = this.lives.get(id);
    if (!l) return setText(this.info, "");
    const end = l.end < 0 ? `in flight, due at ${ms(l.arrive)}` : l.fate === "drop" ? `lost at ${ms(l.end)} (${l.reason})` : `delivered at ${ms(l.end)}`;
    setText(this.info, `#${id} ${messageName(l.msg)}, ${peerName(l.msg.from)} → ${peerName(l.msg.to)}: sent at ${ms(l.sent)}, ${end}`);
    const d = this.drawn.get(id);
    if (d && !this.playing) {
      const y = l.sent * this.scale - this.from * this.scale + TOP;
      if (y < this.scroller.scrollTop || y > this.scroller.scrollTop + this.scroller.clientHeight) this.scroller.scrollTop = Math.max(0, y - 40);
    }
  }

  pick(id) {
    this.select(id);
    const l = this.lives.get(id);
    // In flight, the ring shows it too: select it there.
    if (l && l.end < 0) this.act.pick(id);
  }

  // highlight marks the messages a violation involves.
  highlight(ids) {
    this.culprits = new Set(ids);
    for (const [id, d] of this.drawn) d.g.classList.toggle("culprit", this.culprits.has(id));
  }

  // inFlight lists the ids drawn as in flight (for tests and the count).
  inFlight() {
    return [...this.flying].sort((a, b) => a - b);
  }

  // exportSVG is the diagram as a stand-alone SVG: the names, the lines and
  // arrows with the page's styles written on them, on white.
  exportSVG() {
    return standalone(this.head, this.svg, `Raft · space-time diagram · ${ms(this.from)} to ${ms(this.now)}`);
  }
}

// standalone joins the header and the body into one SVG with their
// computed styles inlined (export.js does the same for the ring).
function standalone(head, body, caption) {
  const NS = "http://www.w3.org/2000/svg";
  const w = Number(body.getAttribute("width")) || 400;
  const hh = 20;
  const bh = Number(body.getAttribute("height")) || 400;
  const out = document.createElementNS(NS, "svg");
  const H = 28 + hh + bh;
  for (const [k, v] of Object.entries({ xmlns: NS, width: w, height: H, viewBox: `0 0 ${w} ${H}` })) out.setAttribute(k, String(v));
  const bg = document.createElementNS(NS, "rect");
  for (const [k, v] of Object.entries({ width: "100%", height: "100%", fill: "#ffffff" })) bg.setAttribute(k, v);
  const title = document.createElementNS(NS, "text");
  for (const [k, v] of Object.entries({ x: 8, y: 18, "font-family": "sans-serif", "font-size": "14px", "font-weight": "600", fill: "#1c2230" })) title.setAttribute(k, String(v));
  title.textContent = caption;
  const h = inline(head);
  h.setAttribute("y", "28");
  const b = inline(body);
  b.setAttribute("y", String(28 + hh));
  out.append(bg, title, h, b);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(out)}\n`;
}

const PROPS = ["fill", "stroke", "stroke-width", "stroke-dasharray", "opacity", "font-family", "font-size", "font-weight", "visibility"];

function inline(src) {
  const copy = src.cloneNode(true);
  const from = [src, ...src.querySelectorAll("*")];
  const to = [copy, ...copy.querySelectorAll("*")];
  from.forEach((node, i) => {
    const cs = getComputedStyle(node);
    const out = to[i];
    out.removeAttribute("class");
    for (const a of ["data-st-svg", "data-st-head", "role", "aria-label", "tabindex"]) out.removeAttribute(a);
    for (const p of PROPS) out.setAttribute(p, cs.getPropertyValue(p));
  });
  return copy;
}

// stretches cuts a server's line from a to b where its state changes:
// each piece is [from, to, state], state "down" while crashed (whether in
// the cluster or not), "out" while out of the cluster, "" otherwise.
function stretches(a, b, downs, outs) {
  if (a >= b) return [];
  const within = (spans, t) => spans.some(([s, e]) => s <= t && t < e);
  const cuts = [a, b];
  for (const [s, e] of [...downs, ...outs]) for (const t of [s, e]) if (t > a && t < b) cuts.push(t);
  cuts.sort((x, y) => x - y);
  const out = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const [s, e] = [cuts[i], cuts[i + 1]];
    if (e <= s) continue;
    const state = within(downs, s) ? "down" : within(outs, s) ? "out" : "";
    const last = out[out.length - 1];
    if (last && last[2] === state) last[1] = e;
    else out.push([s, e, state]);
  }
  return out;
}

function niceStep(ms) {
  for (const s of [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000, 60000]) if (s >= ms) return s;
  return 60000;
}

const ms = (t) => `${Math.round(t).toLocaleString("en-US")} ms`;
const seconds = (t) => (t >= 1000 ? `${(t / 1000).toFixed(1)} s` : `${Math.round(t)} ms`);
