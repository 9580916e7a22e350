// Every peer's log, one row per peer, aligned by index so a student can
// compare logs down a column. Entries are coloured by term and also carry
// the term as text; committed entries are solid, the rest dashed. On
// follower rows, the leader's nextIndex and matchIndex for that follower.
// The grid of slots is built once per size; updates change only the slots
// whose content changed (under a busy load commits move every frame).

import { html, setText } from "./svg.js";
import { entryText, peerName } from "./describe.js";

const HEAD_PX = 160;
const CELL_PX = 62;
const TERM_COLOURS = 8;

export class Logs {
  constructor(root) {
    this.root = root;
    this.rows = [];
    this.header = [];
    this.start = 1; // the first index shown
    this.cols = 12;
    this.width = 0;
    this.model = null;
    // The number of columns follows the panel's width, measured only when
    // it changes rather than on every update.
    new ResizeObserver((entries) => {
      const w = entries[0].contentRect.width;
      if (Math.abs(w - this.width) < 8) return;
      this.width = w;
      const cols = Math.max(5, Math.min(30, Math.floor((w - HEAD_PX) / CELL_PX)));
      if (cols === this.cols && this.rows.length) return;
      this.cols = cols;
      this.root.style.setProperty("--cols", cols);
      this.rows = [];
      if (this.model) this.update(this.model);
    }).observe(root);
  }

  update(model) {
    this.model = model;
    const peers = model.peers;
    if (!peers.length) return;
    if (this.rows.length !== peers.length) this.build(peers.length);
    const last = Math.max(...peers.map((p) => p.lastIndex || 0));
    // The window keeps a spare column after the longest log (where the next
    // entry goes, where a leader's nextIndex usually points) and turns a
    // page, half a window at a time, rather than sliding on every append:
    // calmer to watch, and cheaper to draw.
    let start = this.start;
    if (last + 1 > start + this.cols - 1) start = Math.max(1, last + 2 - Math.ceil(this.cols / 2));
    else if (last + 1 < start) start = Math.max(1, last + 2 - this.cols); // a shorter log: a new run
    this.start = start;
    this.header.forEach((h, i) => setText(h, String(start + i)));
    const leader = model.leaderProgress();
    const progress = new Map((leader ? leader.progress || [] : []).map((x) => [x.id, x]));
    peers.forEach((p, i) => this.fill(this.rows[i], p, start, leader && leader.id !== p.id ? progress.get(p.id) : null));
  }

  build(n) {
    const indexRow = html("div", { class: "log-row index-row", role: "row" });
    html("span", { role: "columnheader" }, indexRow, "index");
    this.header = [];
    for (let i = 0; i < this.cols; i++) this.header.push(html("span", { role: "columnheader" }, indexRow));
    this.rows = [];
    for (let r = 0; r < n; r++) {
      const el = html("div", { class: "log-row", role: "row" });
      const head = html("div", { class: "log-head", role: "rowheader" }, el);
      const row = { el, name: html("strong", {}, head), facts: html("small", {}, head), slots: [], crashed: null };
      for (let i = 0; i < this.cols; i++) {
        const slot = html("div", { class: "log-slot", role: "cell" }, el);
        const cell = html("div", { class: "log-cell empty" }, slot);
        row.slots.push({
          cell,
          term: html("span", { class: "term" }, cell),
          cmd: html("span", { class: "cmd" }, cell),
          who: html("span", { class: "cmd who" }, cell),
          next: html("span", { class: "marker marker-next", hidden: "" }, slot, "▼ next"),
          match: html("span", { class: "marker marker-match", hidden: "" }, slot, "▲ match"),
          key: "",
        });
      }
      this.rows.push(row);
    }
    this.root.replaceChildren(indexRow, ...this.rows.map((r) => r.el));
  }

  fill(row, p, start, pr) {
    if (row.crashed !== !p.up) {
      row.crashed = !p.up;
      row.el.classList.toggle("crashed", !p.up);
    }
    setText(row.name, `${peerName(p.id)} ${p.up ? p.role : "crashed"}`);
    setText(row.facts, p.up ? `commit ${p.commit || 0} · applied ${p.applied || 0}` : "commit index lost");
    const log = p.log || [];
    const first = log.length ? log[0].index : 1;
    row.slots.forEach((s, i) => {
      const index = start + i;
      const e = index >= first && index - first < log.length ? log[index - first] : null;
      const committed = Boolean(e) && p.up && index <= (p.commit || 0);
      const applied = Boolean(e) && p.up && index <= (p.applied || 0);
      // Before the snapshot's window (its last 64 entries) an entry exists
      // but is not shown; after lastIndex there is none.
      const hidden = !e && index < first && index <= (p.lastIndex || 0);
      const next = Boolean(pr) && index === pr.next;
      const match = Boolean(pr) && index === pr.match;
      const key = e ? `${index}|${e.term}|${entryText(e)}|${committed}|${applied}|${next}|${match}` : `${index}|${hidden}|${next}|${match}`;
      if (key === s.key) return;
      s.key = key;
      if (e) {
        const text = entryText(e);
        const [op, ...rest] = text.split(" ");
        s.cell.className = `log-cell term-${(e.term - 1 + TERM_COLOURS) % TERM_COLOURS}${committed ? " committed" : ""}`;
        s.cell.title = `#${index}, term ${e.term}: ${text}${committed ? ", committed" : ", not committed"}${applied ? ", applied" : ""}`;
        setText(s.term, `t${e.term}`);
        setText(s.cmd, op);
        setText(s.who, e.type === "config" ? span(e.members || []) : rest.join(" "));
      } else {
        s.cell.className = "log-cell empty";
        s.cell.removeAttribute("title");
        setText(s.term, "");
        setText(s.cmd, hidden ? "…" : "");
        setText(s.who, "");
      }
      s.next.hidden = !next;
      s.match.hidden = !match;
      if (next) s.next.title = `the leader sends ${peerName(p.id)} entry ${index} next`;
      if (match) s.match.title = `the leader knows ${peerName(p.id)} has entries up to ${index}`;
    });
  }
}

// span names a member list briefly: "s1–s5" when it is a run of peers.
function span(ids) {
  if (!ids.length) return "";
  const run = ids.every((id, i) => i === 0 || id === ids[i - 1] + 1);
  return run && ids.length > 2 ? `${peerName(ids[0])}–${peerName(ids[ids.length - 1])}` : ids.map(peerName).join(" ");
}
