// Every peer's log, one row per peer, aligned by index so a student can
// compare logs down a column. Entries are coloured by term and also carry
// the term as text; committed entries are solid, the rest dashed. On
// follower rows, the leader's nextIndex and matchIndex for that follower.
// A row is rebuilt only when what it shows changed.

import { html } from "./svg.js";
import { entryText, peerName } from "./describe.js";

const HEAD_PX = 140;
const CELL_PX = 62;
const TERM_COLOURS = 8;

export class Logs {
  constructor(root) {
    this.root = root;
    this.rows = [];
    this.indexRow = null;
    this.cols = 12;
    this.width = 0;
    // The number of columns follows the panel's width, measured only when
    // it changes rather than on every update.
    new ResizeObserver((entries) => {
      const w = entries[0].contentRect.width;
      if (Math.abs(w - this.width) < 8) return;
      this.width = w;
      this.cols = Math.max(5, Math.min(30, Math.floor((w - HEAD_PX) / CELL_PX)));
      this.root.style.setProperty("--cols", this.cols);
      if (this.model) this.update(this.model, true);
    }).observe(root);
  }

  update(model, force = false) {
    this.model = model;
    const peers = model.peers;
    if (!peers.length) return;
    if (this.rows.length !== peers.length) this.build(peers.length);
    const last = Math.max(...peers.map((p) => p.lastIndex || 0));
    // One spare column after the longest log: where the next entry goes
    // and where a leader's nextIndex usually points.
    const end = last + 1;
    const start = Math.max(1, end - this.cols + 1);
    const leader = model.leaderProgress();
    const progress = new Map((leader ? leader.progress || [] : []).map((x) => [x.id, x]));

    const indexKey = `${start}|${this.cols}`;
    if (force || this.indexRow.dataset.key !== indexKey) {
      this.indexRow.dataset.key = indexKey;
      const cells = [html("span", { role: "columnheader" }, null, "index")];
      for (let i = start; i < start + this.cols; i++) cells.push(html("span", { role: "columnheader" }, null, String(i)));
      this.indexRow.replaceChildren(...cells);
    }

    peers.forEach((p, i) => {
      const row = this.rows[i];
      const pr = leader && leader.id !== p.id ? progress.get(p.id) : null;
      const win = (p.log || []).filter((e) => e.index >= start);
      const key = [start, this.cols, p.up, p.role, p.lastIndex, p.commit, p.applied, win.map((e) => e.term).join(","), pr ? `${pr.next}/${pr.match}` : ""].join("|");
      if (!force && row.dataset.key === key) return;
      row.dataset.key = key;
      this.fill(row, p, start, win, pr);
    });
  }

  build(n) {
    this.indexRow = html("div", { class: "log-row index-row", role: "row" });
    this.rows = [];
    for (let i = 0; i < n; i++) this.rows.push(html("div", { class: "log-row", role: "row" }));
    this.root.replaceChildren(this.indexRow, ...this.rows);
  }

  fill(row, p, start, win, pr) {
    row.classList.toggle("crashed", !p.up);
    const head = html("div", { class: "log-head", role: "rowheader" });
    html("strong", {}, head, `${peerName(p.id)} ${p.up ? p.role : "crashed"}`);
    const facts = p.up ? `commit ${p.commit || 0} · applied ${p.applied || 0}` : "commit index lost";
    html("small", {}, head, facts);
    const cells = [head];
    const byIndex = new Map(win.map((e) => [e.index, e]));
    const first = p.log && p.log.length ? p.log[0].index : 1;
    for (let i = start; i < start + this.cols; i++) {
      const slot = html("div", { class: "log-slot", role: "cell" });
      const e = byIndex.get(i);
      if (e) {
        const committed = p.up && i <= (p.commit || 0);
        const cell = html("div", { class: `log-cell term-${(e.term - 1 + TERM_COLOURS) % TERM_COLOURS}${committed ? " committed" : ""}` }, slot);
        const text = entryText(e);
        cell.title = `#${i}, term ${e.term}: ${text}${committed ? ", committed" : ", not committed"}${p.up && i <= (p.applied || 0) ? ", applied" : ""}`;
        html("span", { class: "term" }, cell, `t${e.term}`);
        const [op, ...rest] = text.split(" ");
        html("span", { class: "cmd" }, cell, op);
        const who = e.type === "config" ? span(e.members || []) : rest.join(" ");
        if (who) html("span", { class: "cmd who" }, cell, who);
      } else {
        // Before the snapshot's window (older than its last 64 entries) the
        // entry exists but is not shown; after lastIndex there is none.
        const hidden = i < first && i <= (p.lastIndex || 0);
        html("div", { class: "log-cell empty" }, slot, hidden ? "…" : "");
      }
      if (pr && i === pr.next) html("span", { class: "marker marker-next", title: `the leader sends ${peerName(p.id)} entry ${i} next` }, slot, "▼ next");
      if (pr && i === pr.match) html("span", { class: "marker marker-match", title: `the leader knows ${peerName(p.id)} has entries up to ${i}` }, slot, "▲ match");
      cells.push(slot);
    }
    row.replaceChildren(...cells);
  }
}

// span names a member list briefly: "s1–s5" when it is a run of peers.
function span(ids) {
  if (!ids.length) return "";
  const run = ids.every((id, i) => i === 0 || id === ids[i - 1] + 1);
  return run && ids.length > 2 ? `${peerName(ids[0])}–${peerName(ids[ids.length - 1])}` : ids.map(peerName).join(" ");
}
