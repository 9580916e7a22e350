// Every peer's log, one row per peer, aligned by index so a student can
// compare logs down a column. Entries are coloured by term and also carry
// the term as text; committed entries are solid, the rest dashed. On
// follower rows, the leader's nextIndex and matchIndex for that follower.
//
// Once peers compact their logs (section 7 of the paper), a column before
// the entries shows each peer's snapshot as one block: the entries it
// stands for (1 to N), the term of entry N, and that it holds the lock's
// state as of N. Entries of the window that a peer has compacted are drawn
// as a band joined to that block, not as entries.
//
// The grid of slots is built once per size; updates change only the slots
// whose content changed (under a busy load commits move every frame).

import { html, setProp, setText } from "./svg.js";
import { bytes, configShort, entryText, list, peerName, short, shownRole } from "./describe.js";

// Widths in pixels, as style.css gives them, by density: the row's head,
// the snapshot column, an index column at the least.
const HEAD_PX = { roomy: 132, medium: 132, compact: 116 };
const SNAP_PX = 104;
const CELL_PX = { roomy: 60, medium: 74, compact: 78 };
// How many term colours style.css defines (its one place for them).
const TERM_COLOURS = Number(getComputedStyle(document.documentElement).getPropertyValue("--term-colours")) || 8;

// Whether the page fits one screen (style.css): only then must the logs
// be short; stacked, the page scrolls and every entry can have room.
const ONE_SCREEN = matchMedia("(min-width: 900px) and (min-height: 560px)");

// density is how much an entry shows for a cluster of n (style.css).
function density(n) {
  if (document.documentElement.hasAttribute("data-view")) return n <= 3 ? "roomy" : "compact"; // a small frame
  return !ONE_SCREEN.matches || n <= 3 ? "roomy" : n <= 5 ? "medium" : "compact";
}

export class Logs {
  constructor(root) {
    this.root = root;
    this.rows = [];
    this.header = [];
    this.start = 1; // the first index shown
    this.cols = 12;
    this.width = 0;
    this.withSnap = false; // whether the snapshot column is shown
    this.density = "roomy";
    root.dataset.density = this.density;
    this.culprits = new Set(); // indexes a violation involves
    this.model = null;
    this.marked = new Set(); // indexes a lesson's caption names
    // The number of columns follows the panel's width, measured only when
    // it changes rather than on every update.
    new ResizeObserver((entries) => {
      const w = entries[0].contentRect.width;
      if (Math.abs(w - this.width) < 8) return;
      this.width = w;
      this.fit();
    }).observe(root);
    ONE_SCREEN.addEventListener("change", () => this.model && this.update(this.model));
  }

  // highlight marks the log indexes a violation involves, on every server.
  highlight(indexes) {
    this.culprits = new Set(indexes);
    if (this.model) this.update(this.model);
  }

  // fit sets the number of index columns for the width and the snapshot
  // column, and rebuilds the grid if it changed.
  fit() {
    if (!this.width) return;
    const free = this.width - HEAD_PX[this.density] - (this.withSnap ? SNAP_PX : 0);
    const cols = Math.max(4, Math.min(30, Math.floor(free / CELL_PX[this.density])));
    if (cols === this.cols && this.rows.length) return;
    this.cols = cols;
    this.root.style.setProperty("--cols", cols);
    this.rows = [];
    if (this.model) this.update(this.model);
  }

  update(model) {
    this.model = model;
    const peers = model.peers;
    if (!peers.length) return;
    const withSnap = peers.some((p) => p.snapshotIndex > 0);
    if (withSnap !== this.withSnap) {
      this.withSnap = withSnap;
      this.root.classList.toggle("with-snap", withSnap);
      this.rows = [];
      this.fit();
      if (this.rows.length) return; // fit drew it
    }
    const d = density(peers.length);
    if (this.rows.length !== peers.length || d !== this.density) {
      if (d !== this.density) {
        this.density = d;
        this.root.dataset.density = d;
        this.rows = [];
        this.fit();
        if (this.rows.length) return; // fit drew it
      }
      this.build(peers.length);
    }
    const last = Math.max(...peers.map((p) => p.lastIndex || 0));
    // The window keeps a spare column after the longest log (where the next
    // entry goes, where a leader's nextIndex usually points) and turns a
    // page, half a window at a time, rather than sliding on every append:
    // calmer to watch, and cheaper to draw.
    let start = this.start;
    if (last + 1 > start + this.cols - 1) start = Math.max(1, last + 2 - Math.ceil(this.cols / 2));
    else if (last + 1 < start) start = Math.max(1, last + 2 - this.cols); // a shorter log: a new run
    // A violation's entries stay in view, however far the logs have grown.
    const first = this.culprits.size ? Math.min(...this.culprits) : 0;
    if (first && first < start) start = Math.max(1, first - 1);
    this.start = start;
    this.header.forEach((h, i) => {
      setText(h, String(start + i));
      h.classList.toggle("lesson-mark", this.marked.has(start + i));
    });
    const leader = model.leaderProgress();
    const progress = new Map((leader ? leader.progress || [] : []).map((x) => [x.id, x]));
    peers.forEach((p, i) => this.fill(this.rows[i], p, start, leader && leader.id !== p.id ? progress.get(p.id) : null, model));
  }

  // window gives the first and last index the logs show.
  window() {
    return [this.start, this.start + this.cols - 1];
  }

  // mark highlights the columns of these indexes: the entries a lesson's
  // caption names.
  mark(indexes) {
    this.marked = new Set(indexes);
    if (this.model) this.update(this.model);
  }

  build(n) {
    const indexRow = html("div", { class: "log-row index-row", role: "row" });
    html("span", { role: "columnheader" }, indexRow, "log index");
    if (this.withSnap) html("span", { role: "columnheader", class: "snap-head" }, indexRow, "snapshot");
    this.header = [];
    for (let i = 0; i < this.cols; i++) this.header.push(html("span", { role: "columnheader" }, indexRow));
    this.rows = [];
    for (let r = 0; r < n; r++) {
      const el = html("div", { class: "log-row", role: "row" });
      const head = html("div", { class: "log-head", role: "rowheader" }, el);
      const row = {
        el,
        name: html("strong", {}, head),
        facts: html("small", {}, head),
        facts2: html("small", {}, head),
        slots: [],
        crashed: null,
        snap: null,
      };
      if (this.withSnap) {
        const cell = html("div", { class: "log-snap", role: "cell" }, el);
        const card = html("div", { class: "snap-card none" }, cell);
        row.snap = {
          cell,
          card,
          kind: html("span", { class: "snap-kind" }, card),
          range: html("span", { class: "snap-range" }, card),
          meta: html("span", { class: "snap-meta" }, card),
          key: "",
          index: -1,
          flip: false,
        };
      }
      for (let i = 0; i < this.cols; i++) {
        const slot = html("div", { class: "log-slot", role: "cell" }, el);
        const cell = html("div", { class: "log-cell empty" }, slot);
        const term = html("span", { class: "term" }, cell);
        const what = html("span", { class: "what" }, cell);
        const cmd = html("span", { class: "cmd" }, what);
        what.append(" ");
        row.slots.push({
          cell,
          term,
          cmd,
          who: html("span", { class: "who" }, what),
          slot,
          marked: false,
          next: html("span", { class: "marker marker-next", hidden: "" }, slot),
          match: html("span", { class: "marker marker-match", hidden: "" }, slot),
          key: "",
        });
      }
      this.rows.push(row);
    }
    this.root.replaceChildren(indexRow, ...this.rows.map((r) => r.el));
  }

  fill(row, p, start, pr, model) {
    if (row.crashed !== !p.up) {
      row.crashed = !p.up;
      row.el.classList.toggle("crashed", !p.up);
    }
    const last = p.lastIndex || 0;
    setText(row.name, `${peerName(p.id)} ${shownRole(p, model.standing(p.id))}`);
    setText(row.facts, p.up ? `commit ${p.commit || 0} · applied ${p.applied || 0}` : "commit index lost");
    setText(row.facts2, p.up ? `log to #${last}` : `log to #${last} (on disk)`);
    const snapIndex = p.snapshotIndex || 0;
    if (row.snap) this.fillSnap(row.snap, p, model);
    const log = p.log || [];
    const first = log.length ? log[0].index : snapIndex + 1;
    const end = start + row.slots.length - 1;
    row.slots.forEach((s, i) => {
      const index = start + i;
      const mk = this.marked.has(index);
      if (s.mk !== mk) {
        s.mk = mk;
        s.slot.classList.toggle("lesson-mark", mk);
      }
      const e = index >= first && index - first < log.length ? log[index - first] : null;
      const committed = Boolean(e) && p.up && index <= (p.commit || 0);
      const applied = Boolean(e) && p.up && index <= (p.applied || 0);
      // Compacted into the snapshot: the band; after it but before the
      // snapshot's window of entries (its last 64): there, not shown.
      const compacted = !e && index <= snapIndex;
      const hidden = !e && !compacted && index < first && index <= last;
      // A marker for an index left of the window shows at its first slot.
      const next = Boolean(pr) && (index === pr.next || (i === 0 && pr.next < start));
      const match = Boolean(pr) && pr.match > 0 && (index === pr.match || (i === 0 && pr.match < start));
      const edge = compacted ? `${index === start ? "s" : ""}${index === snapIndex || index === end ? "e" : ""}` : "";
      const nextAt = next ? pr.next : 0;
      const matchAt = match ? pr.match : 0;
      const culprit = this.culprits.has(index);
      if (s.culprit !== culprit) {
        s.culprit = culprit;
        s.slot.classList.toggle("culprit", culprit);
      }
      const key = e
        ? `${index}|${e.term}|${entryText(e)}|${committed}|${applied}|${nextAt}|${matchAt}`
        : `${index}|${hidden}|${compacted}${edge}|${nextAt}|${matchAt}`;
      if (key === s.key) return;
      s.key = key;
      if (e) {
        const text = entryText(e);
        const [op, ...rest] = text.split(" ");
        const config = e.type === "config";
        setProp(s.cell, "className", `log-cell term-${(e.term - 1 + TERM_COLOURS) % TERM_COLOURS}${committed ? " committed" : ""}${config ? " config" : ""}`);
        setProp(s.cell, "title", `#${index}, term ${e.term}: ${config ? configWords(e) : text}. ${peerName(p.id)} ${committed ? "knows it is committed" : "does not know yet that it is committed"}${applied ? " and has applied it" : ""}.`);
        setText(s.term, `t${e.term}`);
        setText(s.cmd, op);
        setText(s.who, config ? configShort(e) : short(rest.join(" ")));
      } else if (compacted) {
        // A band joined to the snapshot block: rounded where it ends.
        setProp(s.cell, "className", `log-cell compacted${edge.includes("s") ? " band-start" : ""}${edge.includes("e") ? " band-end" : ""}`);
        setProp(s.cell, "title", `#${index} is compacted into ${peerName(p.id)}'s snapshot (entries 1–${snapIndex})`);
        setText(s.term, "");
        setText(s.cmd, "");
        setText(s.who, "");
      } else {
        setProp(s.cell, "className", "log-cell empty");
        if (s.cell.title) s.cell.removeAttribute("title");
        setText(s.term, "");
        setText(s.cmd, hidden ? "…" : "");
        setText(s.who, "");
      }
      setProp(s.next, "hidden", !next);
      setProp(s.match, "hidden", !match);
      if (s.marked !== (next || match)) {
        s.marked = next || match;
        s.slot.classList.toggle("marked", s.marked);
      }
      if (next) {
        const left = pr.next < start;
        setText(s.next, left ? `◀ next ${pr.next}` : "▼ next");
        s.next.classList.toggle("left", left);
        setProp(s.next, "title", `the leader sends ${peerName(p.id)} entry ${pr.next} next${pr.next <= snapOf(model) ? ": it has compacted that entry, so it sends its snapshot instead" : ""}`);
      }
      if (match) {
        const left = pr.match < start;
        setText(s.match, left ? `◀ match ${pr.match}` : "▲ match");
        s.match.classList.toggle("left", left);
        setProp(s.match, "title", `the leader knows ${peerName(p.id)} has entries up to ${pr.match}`);
      }
    });
  }

  // fillSnap draws a peer's snapshot block: what it covers and how it came.
  fillSnap(snap, p, model) {
    const index = p.snapshotIndex || 0;
    const info = model.snapshotInfo(p);
    const installed = Boolean(info && info.installed);
    const key = `${index}|${p.snapshotTerm || 0}|${installed}|${p.up}`;
    if (key === snap.key) return;
    snap.key = key;
    const grew = snap.index >= 0 && index > snap.index;
    snap.index = index;
    if (!index) {
      setProp(snap.card, "className", "snap-card none");
      setProp(snap.cell, "className", "log-snap");
      setProp(snap.card, "title", `${peerName(p.id)} has not compacted its log yet`);
      setText(snap.kind, "no snapshot");
      setText(snap.range, "");
      setText(snap.meta, "");
      return;
    }
    // A new snapshot flashes; two names for one animation, so that the
    // next one restarts it.
    if (grew) snap.flip = !snap.flip;
    setProp(snap.card, "className", `snap-card${installed ? " installed" : ""}`);
    setProp(snap.cell, "className", `log-snap${grew ? (snap.flip ? " flash-a" : " flash-b") : ""}`);
    const how = installed ? "installed from the leader (InstallSnapshot)" : "compacted from its own log";
    const size = info ? `, ${bytes(info.size)}` : "";
    setProp(snap.card, "title", `${peerName(p.id)}'s snapshot, ${how}: it stands for entries 1–${index} (the last of them in term ${p.snapshotTerm || 0}) and holds the lock's state after #${index}${size}.${p.up ? "" : " It is on disk, so the crash kept it."}`);
    setText(snap.kind, installed ? "⇩ installed" : "snapshot");
    setText(snap.range, `1–${index}`);
    setText(snap.meta, `t${p.snapshotTerm || 0} + lock state`);
  }
}

// configWords says it for the cell's title: who votes, who catches up.
function configWords(e) {
  const voters = (e.members || []).map(peerName);
  const learners = (e.learners || []).map(peerName);
  const more = learners.length ? `; ${learners.length > 1 ? "learners" : "learner"} ${list(learners)}, ${learners.length > 1 ? "which receive" : "which receives"} the log but ${learners.length > 1 ? "do" : "does"} not vote yet` : "";
  return `the configuration: ${voters.length > 1 ? "voters" : "voter"} ${list(voters)}${more}`;
}

// snapOf is the leader's snapshot index, for the markers' explanations.
function snapOf(model) {
  const l = model.leaderProgress();
  return l ? l.snapshotIndex || 0 : 0;
}
