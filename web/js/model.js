// The front-end's picture of the run: the last snapshot, the messages in
// flight with the times they left, the client requests and a bounded window
// of recent events. It is fed the answers of the wasm API (status, events,
// snapshot) and only restates them; renderers read it.

const EVENT_WINDOW = 2000; // events kept for the log's filters
const FINISHED_REQUESTS = 60; // answered requests kept for the client panel
const FATES = 500; // delivered or dropped messages remembered for an open detail view

export class Model {
  constructor() {
    this.run = 0;
    this.cursor = 0; // the last event seq taken in
    this.status = { time: 0, seq: 0, next: -1, leader: 0, term: 0, actions: 0, pending: 0, halted: "", preVote: false, checkQuorum: false };
    this.snapshot = null;
    this.peers = []; // snapshot peers, by index id-1
    this.messages = new Map(); // id -> {id, msg, sent, arrive, dup}
    this.requests = new Map(); // req -> {req, client, op, peer, sent, outcome, reason, ended, deadline}
    this.events = []; // recent events, oldest first, each with .full for deliveries and drops
    this.sent = new Map(); // id -> {msg, sent, arrive, dup} for messages still in flight
    this.bursts = []; // losses to draw in this batch: {msg, sent, arrive, at, reason}
    this.fates = new Map(); // id -> how a message that left the network ended: {kind, reason, at}
    this.snaps = new Map(); // peer -> its last snapshot event: {index, term, installed, size, time}
  }

  get time() {
    return this.status.time;
  }

  // take folds one API answer (status, maybe events and a snapshot) in and
  // says what changed, so renderers touch only that.
  take(answer) {
    const changed = { run: false, peers: false, messages: false, requests: false, events: [] };
    if (answer.run !== undefined && answer.run !== this.run) {
      this.reset(answer.run);
      changed.run = true;
    }
    for (const k of ["time", "seq", "next", "leader", "term", "actions", "pending", "halted", "preVote", "checkQuorum", "violations"]) {
      if (answer[k] !== undefined) this.status[k] = answer[k];
    }
    const batch = answer.events;
    if (batch && batch.run === this.run) {
      for (const ev of batch.events) this.takeEvent(ev, changed);
      this.cursor = Math.max(this.cursor, batch.last ?? this.cursor);
    }
    if (answer.snapshot) this.takeSnapshot(answer.snapshot, changed);
    return changed;
  }

  reset(run) {
    this.run = run;
    this.cursor = 0;
    this.snapshot = null;
    this.peers = [];
    this.messages.clear();
    this.requests.clear();
    this.sent.clear();
    this.fates.clear();
    this.snaps.clear();
    this.events = [];
    this.bursts = [];
  }

  takeEvent(ev, changed) {
    switch (ev.kind) {
      case "send":
        this.sent.set(ev.id, { msg: ev.msg, sent: ev.time, arrive: ev.arrive, dup: Boolean(ev.dup) });
        this.messages.set(ev.id, { id: ev.id, msg: ev.msg, sent: ev.time, arrive: ev.arrive, dup: Boolean(ev.dup) });
        changed.messages = true;
        break;
      case "deliver":
      case "drop": {
        this.fates.set(ev.id, { kind: ev.kind, reason: ev.reason || "", at: ev.time });
        if (this.fates.size > FATES) this.fates.delete(this.fates.keys().next().value);
        const s = this.sent.get(ev.id);
        if (s) {
          ev.full = s.msg;
          if (ev.kind === "drop") this.bursts.push({ id: ev.id, msg: s.msg, sent: s.sent, arrive: s.arrive, at: ev.time, reason: ev.reason });
          this.sent.delete(ev.id);
        }
        this.messages.delete(ev.id);
        changed.messages = true;
        break;
      }
      case "snapshot":
        this.snaps.set(ev.peer, { index: ev.index, term: ev.term, installed: Boolean(ev.installed), size: ev.size || 0, time: ev.time });
        break;
      case "crash":
      case "restart":
        // What the event log says of it depends on whether it had a snapshot.
        ev.snapshotIndex = this.snapshotIndex(ev.peer);
        break;
      case "request":
        this.requests.set(ev.req, { req: ev.req, client: ev.client, op: ev.op, peer: ev.peer, sent: ev.time, outcome: "", reason: "", ended: -1, deadline: 0 });
        changed.requests = true;
        break;
      case "reply": {
        const r = this.requests.get(ev.req) || { req: ev.req, client: ev.client, op: ev.op, peer: ev.peer, sent: ev.time };
        Object.assign(r, { outcome: ev.outcome || "", reason: ev.reason || "", ended: ev.time });
        this.requests.set(ev.req, r);
        this.trimRequests();
        changed.requests = true;
        break;
      }
    }
    this.events.push(ev);
    if (this.events.length > EVENT_WINDOW * 1.5) this.events.splice(0, this.events.length - EVENT_WINDOW);
    changed.events.push(ev);
  }

  // eventOfMessage is what the page still knows of message id: {msg} from
  // its send event, or null.
  eventOfMessage(id) {
    const m = this.sent.get(id);
    if (m) return m;
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i];
      if (e.kind === "send" && e.id === id) return e;
    }
    return null;
  }

  // Events keep the messages in flight between snapshots; a snapshot is the
  // authority (after a gap in the events, or a replay), though it does not
  // say when a message left: the send events do.
  takeSnapshot(snap, changed) {
    const before = this.peers;
    this.snapshot = snap;
    this.peers = snap.peers;
    changed.peers = true;
    changed.termUp = snap.peers.filter((p, i) => before[i] && p.term > before[i].term).map((p) => p.id);

    const live = new Set();
    for (const f of snap.messages) {
      live.add(f.id);
      if (this.messages.has(f.id)) continue;
      const s = this.sent.get(f.id);
      // A message sent before our window (after a replay or a gap) left at
      // an unknown time: start it where an average message would be.
      const link = snap.link || {};
      const typical = ((link.latencyMinMs || 10) + (link.latencyMaxMs || 30)) / 2;
      const sent = s ? s.sent : Math.min(snap.time, f.arrive - typical);
      this.messages.set(f.id, { id: f.id, msg: f.msg, sent, arrive: f.arrive, dup: s ? s.dup : false });
      changed.messages = true;
    }
    for (const id of this.messages.keys()) {
      if (!live.has(id)) {
        this.messages.delete(id);
        changed.messages = true;
      }
    }
    for (const id of this.sent.keys()) if (!live.has(id)) this.sent.delete(id);

    for (const p of snap.requests) {
      const r = this.requests.get(p.req);
      if (!r) {
        this.requests.set(p.req, { ...p, sent: snap.time, outcome: "", reason: "", ended: -1, deadline: p.deadline || 0 });
        changed.requests = true;
      } else if (r.ended < 0 && (p.deadline || 0) !== r.deadline) {
        r.deadline = p.deadline || 0;
        changed.requests = true;
      }
    }
  }

  trimRequests() {
    let finished = 0;
    for (const r of this.requests.values()) if (r.ended >= 0) finished++;
    for (const [req, r] of this.requests) {
      if (finished <= FINISHED_REQUESTS) break;
      if (r.ended >= 0) {
        this.requests.delete(req);
        finished--;
      }
    }
  }

  // takeBursts hands the losses of the last batches to the renderer once.
  takeBursts() {
    const b = this.bursts;
    this.bursts = [];
    return b;
  }

  peer(id) {
    return this.peers[id - 1];
  }

  // snapshotIndex is the last index a peer's snapshot covers, from the
  // latest snapshot or snapshot event, whichever is newer.
  snapshotIndex(id) {
    const s = this.snaps.get(id);
    const p = this.peer(id);
    return Math.max(s ? s.index : 0, (p && p.snapshotIndex) || 0);
  }

  // snapshotInfo says how peer p's current snapshot came: installed from
  // the leader or compacted by itself, when the events still tell.
  snapshotInfo(p) {
    const s = this.snaps.get(p.id);
    return s && s.index === p.snapshotIndex ? s : null;
  }

  // majority is the quorum size as the leader counts it (with no leader,
  // as the first running server does): servers may disagree while the
  // membership changes, and the leader's configuration is the one in force.
  majority() {
    const c = this.membership();
    return c && c.majority ? { size: c.majority, of: c.voters.length } : null;
  }

  // membership is the configuration the leader uses (else the first
  // running server's): its voters, its learners (catching up to vote) and
  // the majority of its voters; null before any server has one.
  membership() {
    const lead = this.status.leader && this.peer(this.status.leader);
    const from = lead && lead.up && lead.majority ? lead : this.peers.find((p) => p.up && p.majority);
    if (!from) return null;
    return { voters: from.members || [], learners: from.learners || [], majority: from.majority };
  }

  // standing says what a server is in the cluster: "voter", "learner", or
  // "out" (never added, or removed); "" before any configuration.
  standing(id) {
    const c = this.membership();
    if (!c) return "";
    if (c.voters.includes(id)) return "voter";
    return c.learners.includes(id) ? "learner" : "out";
  }

  leaderProgress() {
    const id = this.status.leader;
    const p = id && this.peer(id);
    return p && p.role === "leader" ? p : null;
  }
}
