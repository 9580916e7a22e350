// The event log: the trace in plain words (each event's text, which the
// simulator writes), following the run, filterable by
// peer and by kind. The list holds a bounded number of rows, and while the
// run plays new rows are added a few times a second, not every frame.

import { html } from "./svg.js";
import { eventFamily, peerName, short } from "./describe.js";

const ROWS = 150;
const NAME = 16; // the longest client name a row shows whole // rows in the list; the model keeps more for the filters
// Four flushes a second: each lays out its new rows, and faster than this
// the list only scrolls by unread.
const FLUSH_MS = 250;
// While playing fast, nobody reads hundreds of rows a second: a flush adds
// at most this many, and says how many it passed over. Pausing lists them.
const PER_FLUSH = 30;

const FAMILIES = [
  ["elect", "Elections", true],
  ["log", "Log", true],
  ["client", "Clients", true],
  ["fault", "Faults", true],
  ["msg", "Messages", true],
  ["heartbeat", "Heartbeats", false],
];

export class EventLog {
  constructor(root) {
    this.list = root.querySelector("[data-events]");
    this.peerSel = root.querySelector("[data-event-peer]");
    this.followBtn = root.querySelector("[data-follow]");
    const filters = root.querySelector("[data-event-filters]");
    this.filters = filters;
    this.on = new Set(FAMILIES.filter((f) => f[2]).map((f) => f[0]));
    for (const [key, label, checked] of FAMILIES) {
      const l = html("label", {}, filters);
      const box = html("input", { type: "checkbox", value: key }, l);
      box.checked = checked;
      l.append(label);
    }
    filters.addEventListener("change", (e) => {
      if (e.target.type === "checkbox") {
        if (e.target.checked) this.on.add(e.target.value);
        else this.on.delete(e.target.value);
      }
      this.rebuild();
    });
    this.follow = true;
    this.list.addEventListener("scroll", () => {
      const atEnd = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 24;
      this.follow = atEnd;
      this.followBtn.hidden = atEnd;
    });
    this.followBtn.addEventListener("click", () => {
      this.follow = true;
      this.followBtn.hidden = true;
      this.list.scrollTop = this.list.scrollHeight;
    });
    this.pending = [];
    this.timer = 0;
    this.heartbeats = new Map(); // "from>to:term:round" of AppendEntries -> true while all were heartbeats
    this.hbReplies = new Set(); // ids of replies to heartbeats still in flight
    this.model = null;
    this.longNames = new Set(); // client names cut short in the rows
  }

  // state is the filters as the student set them, for a share link:
  // {show: "elect,log,...", by: "2"}. restore puts back what it can.
  state() {
    return { show: [...this.on].join(","), by: this.peerSel.value };
  }

  restore({ show, by }) {
    if (show !== undefined) {
      const on = new Set(show.split(",").filter((k) => FAMILIES.some((f) => f[0] === k)));
      this.on = on;
      for (const box of this.filters.querySelectorAll("input[type=checkbox]")) box.checked = on.has(box.value);
    }
    if (by !== undefined && [...this.peerSel.options].some((o) => o.value === by)) this.peerSel.value = by;
    this.rebuild();
  }

  // highlight marks the rows of the events a violation involves (by seq).
  highlight(seqs) {
    this.culprits = new Set(seqs);
    for (const li of this.list.children) li.classList.toggle("culprit", this.culprits.has(Number(li.dataset.seq)));
  }

  // shown is called when the list comes into view again: a hidden list
  // cannot follow the new rows.
  shown() {
    if (this.follow) this.list.scrollTop = this.list.scrollHeight;
  }

  peers(n) {
    const keep = this.peerSel.value;
    const opts = [html("option", { value: 0 }, null, "all")];
    for (let i = 1; i <= n; i++) opts.push(html("option", { value: i }, null, peerName(i)));
    this.peerSel.replaceChildren(...opts);
    this.peerSel.value = Number(keep) <= n ? keep : "0";
  }

  clear() {
    this.pending = [];
    this.longNames.clear();
    this.heartbeats.clear();
    this.hbReplies.clear();
    this.list.replaceChildren();
  }

  // add takes new events; they reach the page at the next flush.
  add(model, events, now = false) {
    this.model = model;
    for (const ev of events) {
      ev.family = this.family(ev);
      // A request names its client before any entry or answer does.
      if (ev.client && ev.client.length > NAME) this.longNames.add(ev.client);
      this.pending.push(ev);
    }
    // Paused, a long batch (a replay) lists its last ROWS shown events,
    // which may lie far before its last ROWS events (heartbeats hidden).
    if (now && this.pending.length > ROWS) return this.rebuild();
    if (this.pending.length > ROWS * 4) this.pending.splice(0, this.pending.length - ROWS);
    if (now) this.flush(true);
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), FLUSH_MS);
  }

  flush(all = false) {
    clearTimeout(this.timer);
    this.timer = 0;
    const shown = this.pending.filter((ev) => this.shows(ev));
    this.pending = [];
    if (!shown.length) return;
    const keep = all ? ROWS : PER_FLUSH;
    const rows = shown.slice(-keep).map((ev) => this.row(ev));
    if (shown.length > keep) rows.unshift(html("li", { class: "ev-skipped" }, null, `… ${shown.length - keep} more (pause to list them all)`));
    this.list.append(...rows);
    // Trim in large batches: removing the first rows re-lays out them all,
    // appending only the new ones.
    if (this.list.childElementCount > 2 * ROWS) {
      const extra = this.list.childElementCount - ROWS;
      for (let i = 0; i < extra; i++) this.list.firstElementChild.remove();
    }
    if (this.follow) this.list.scrollTop = this.list.scrollHeight;
  }

  rebuild() {
    this.pending = [];
    const evs = this.model ? this.model.events : [];
    const rows = [];
    for (let i = evs.length - 1; i >= 0 && rows.length < ROWS; i--) if (this.shows(evs[i])) rows.push(this.row(evs[i]));
    this.list.replaceChildren(...rows.reverse());
    this.follow = true;
    this.followBtn.hidden = true;
    this.list.scrollTop = this.list.scrollHeight;
  }

  shows(ev) {
    if (ev.family === "mark") return true; // a run's stages, always
    if (!this.on.has(ev.family === "violation" ? "fault" : ev.family)) return false;
    const p = Number(this.peerSel.value);
    if (!p) return true;
    return ev.peer === p || (ev.msg && (ev.msg.from === p || ev.msg.to === p));
  }

  // family sorts an event for the filters. Heartbeats and the replies to
  // them are most of the traffic of a quiet cluster, so they have their own
  // switch; a reply is a heartbeat's when the leader's round it answers
  // carried no entries.
  family(ev) {
    const f = eventFamily(ev);
    if (f !== "msg" || !ev.msg) return f;
    const m = ev.full || ev.msg;
    if (m.type === "AppendEntries") {
      if (ev.kind === "send") {
        const key = `${m.from}>${m.to}:${m.term}:${m.round || 0}`;
        this.heartbeats.set(key, (this.heartbeats.get(key) ?? true) && Boolean(m.heartbeat));
        if (this.heartbeats.size > 500) this.heartbeats.delete(this.heartbeats.keys().next().value);
      }
      return m.heartbeat ? "heartbeat" : f;
    }
    if (m.type === "AppendEntriesReply") {
      if (ev.kind === "send") {
        if (this.heartbeats.get(`${m.to}>${m.from}:${m.term}:${m.round || 0}`)) this.hbReplies.add(ev.id);
        return this.hbReplies.has(ev.id) ? "heartbeat" : f;
      }
      const hb = this.hbReplies.has(ev.id);
      this.hbReplies.delete(ev.id);
      return hb ? "heartbeat" : f;
    }
    return f;
  }

  row(ev) {
    const li = row(ev, this.longNames);
    li.dataset.seq = ev.seq;
    if (this.culprits && this.culprits.has(ev.seq)) li.classList.add("culprit");
    return li;
  }
}

// row is an event's line. longNames: the client names too long for a row
// (over NAME characters), cut short there.
function row(ev, longNames) {
  const kind = ev.kind === "snapshot" || (ev.full || ev.msg || {}).type === "InstallSnapshot" ? "ev-snapshot" : `ev-${ev.family === "heartbeat" ? "msg" : ev.family}`;
  const li = html("li", { class: kind });
  html("time", {}, li, String(ev.time));
  // The words are the simulator's (raft/sim/describe.go): the same
  // sentence raftsim prints. A row shows one line; the title holds it all.
  const text = ev.text || ev.kind;
  let shown = text;
  for (const name of longNames) if (shown.includes(name)) shown = shown.replaceAll(name, short(name, NAME));
  html("span", {}, li, shown);
  if (text.length > 90 || shown !== text) li.title = text;
  return li;
}
