// Plain words for what the trace shows beside the event log (whose words,
// each event's text, are the simulator's: raft/sim/describe.go): message
// details, the request list, the logs. Everything here only restates the
// trace (raft/sim/TRACE.md); it decides nothing about the protocol.

export const peerName = (id) => (id ? `s${id}` : "nobody");

// roleName is a server's role as the page writes it: the trace's
// "precandidate" is a pre-candidate (PreVote).
export const roleName = (p) => (!p.up ? "crashed" : p.role === "precandidate" ? "pre-candidate" : p.role);

// shownRole is the role a server's label says, its standing in the
// cluster (model.standing) included: a follower that is a learner, or out
// of the cluster, is labelled so, in the ring and in its log row alike.
export const shownRole = (p, standing) =>
  p.up && p.role === "follower" && (standing === "learner" || standing === "out") ? standing : roleName(p);

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export const bytes = (n) => plural(n, "byte");

// span names a member list briefly: "s1–s5" when it is a run of peers.
export function span(ids) {
  if (!ids.length) return "";
  const run = ids.every((id, i) => i === 0 || id === ids[i - 1] + 1);
  return run && ids.length > 2 ? `${peerName(ids[0])}–${peerName(ids[ids.length - 1])}` : ids.map(peerName).join(" ");
}

// list joins words as a sentence does: "s1, s2 and s3".
export const list = (xs) => (xs.length <= 1 ? xs.join("") : `${xs.slice(0, -1).join(", ")} and ${xs.at(-1)}`);

// short cuts a client's name (up to 32 characters) for a label with little
// room; where it is cut, the label's title gives it whole.
export const short = (name, max = 12) => (name.length > max ? `${name.slice(0, max - 1)}…` : name);

// range writes "1–250" so that no line breaks inside it (a word joiner
// after the dash).
export const range = (a, b) => `${a}–\u2060${b}`;

// configShort writes a configuration entry's servers briefly: the voters,
// then each learner after a plus ("s1–s3 +s4").
export function configShort(e) {
  return [span(e.members || []), ...(e.learners || []).map((id) => `+${peerName(id)}`)].join(" ");
}

// entryText is an entry as a student reads it in a log cell or a sentence.
export function entryText(e) {
  switch (e.type) {
    case "noop":
      return "no-op";
    case "config":
      return `config ${(e.members || []).map(peerName).join(" ")}${e.learners ? ` + learner ${e.learners.map(peerName).join(" ")}` : ""}`;
    default:
      return e.cmd || "";
  }
}

// messageKind sorts a message into the families the ring draws differently.
export function messageKind(m) {
  switch (m.type) {
    case "RequestVote":
      return "vote";
    case "RequestVoteReply":
    case "PreVoteReply":
      return "vote-reply";
    case "PreVote":
    case "TimeoutNow":
      return "vote";
    case "AppendEntries":
      return m.heartbeat ? "heartbeat" : "append";
    case "AppendEntriesReply":
      return "append-reply";
    case "ReadIndexReply":
      return "client-reply";
    case "InstallSnapshot":
      return "snapshot";
    default:
      return "client"; // ForwardWrite, ReadIndex: a client's request on its way to the leader
  }
}

// messageName is a message's name with what makes it different at a glance.
export function messageName(m) {
  switch (m.type) {
    case "AppendEntries": {
      const n = m.entries ? m.entries.length : 0;
      if (m.heartbeat || (m.entries && n === 0)) return "heartbeat (AppendEntries, no entries)";
      return m.entries ? `AppendEntries (${plural(n, "entry", "entries")})` : "AppendEntries";
    }
    case "RequestVote":
      return m.transfer ? "RequestVote (leadership handed over)" : "RequestVote";
    case "RequestVoteReply":
      if (m.voteGranted === undefined) return "vote reply";
      return m.voteGranted ? "vote reply: granted" : "vote reply: refused";
    case "PreVote":
      return m.term ? `PreVote (would you vote for me in term ${m.term}?)` : "PreVote";
    case "PreVoteReply":
      if (m.voteGranted === undefined) return "pre-vote reply";
      return m.voteGranted ? "pre-vote reply: yes" : "pre-vote reply: no";
    case "TimeoutNow":
      return "TimeoutNow (stand for leader now)";
    case "AppendEntriesReply":
      if (m.success === undefined) return "AppendEntries reply";
      return m.success ? "AppendEntries reply: ok" : "AppendEntries reply: refused";
    case "ForwardWrite":
      return "forwarded client write";
    case "ReadIndex":
      return "read-index request";
    case "ReadIndexReply":
      return "read-index reply";
    case "InstallSnapshot":
      return m.lastIncludedIndex ? `InstallSnapshot (entries ${range(1, m.lastIncludedIndex)} and the lock)` : "InstallSnapshot";
    default:
      return m.type;
  }
}

// messageFields lists a message's fields as [label, value] pairs for the
// detail view, in the order the paper's Figure 2 gives them.
export function messageFields(m) {
  const rows = [];
  const add = (label, v) => {
    if (v !== undefined) rows.push([label, String(v)]);
  };
  add("term", m.term ?? 0);
  switch (m.type) {
    case "RequestVote":
    case "PreVote":
      add("candidate", peerName(m.from));
      add("lastLogIndex", m.lastLogIndex ?? 0);
      add("lastLogTerm", m.lastLogTerm ?? 0);
      if (m.transfer) add("transfer", "true (its leader handed over: a server that hears from that leader still votes)");
      break;
    case "RequestVoteReply":
    case "PreVoteReply":
      add("voteGranted", Boolean(m.voteGranted));
      break;
    case "AppendEntries":
      add("leader", peerName(m.from));
      add("prevLogIndex", m.prevLogIndex ?? 0);
      add("prevLogTerm", m.prevLogTerm ?? 0);
      add("entries", (m.entries || []).length ? m.entries.map((e) => `#${e.index} t${e.term} ${entryText(e)}`).join(", ") : "none");
      add("leaderCommit", m.leaderCommit ?? 0);
      add("round", m.round ?? 0);
      break;
    case "AppendEntriesReply":
      add("success", Boolean(m.success));
      if (m.success) add("matchIndex", m.matchIndex ?? 0);
      else {
        add("conflictIndex", m.conflictIndex ?? 0);
        add("conflictTerm", m.conflictTerm ?? 0);
      }
      add("round", m.round ?? 0);
      break;
    case "ForwardWrite":
      add("command", (m.entries || []).map(entryText).join(", "));
      break;
    case "ReadIndex":
      add("readId", m.readId ?? 0);
      break;
    case "ReadIndexReply":
      add("readId", m.readId ?? 0);
      add("readIndex", m.readIndex ?? 0);
      break;
    case "InstallSnapshot":
      add("leader", peerName(m.from));
      add("lastIncludedIndex", m.lastIncludedIndex ?? 0);
      add("lastIncludedTerm", m.lastIncludedTerm ?? 0);
      add("members", (m.members || []).map(peerName).join(" "));
      add("size", `${bytes(m.size || 0)} (the lock's state and client sessions)`);
      add("round", m.round ?? 0);
      break;
  }
  return rows;
}

export const dropLabel = { loss: "lost", down: "down", user: "dropped" };

// outcomeText explains how a client request ended, in the page's words.
export function outcomeText(r) {
  switch (r.outcome) {
    case "ok":
      return r.op === "read" ? "" : "the lock said yes";
    case "error":
      return "the lock said no";
    case "redirect":
      return `${peerName(r.peer)} knew of no leader to pass it to (none elected yet, or an election under way): try again`;
    // A write that got no answer may still be applied; a read changes
    // nothing (the simulator's event text says the same: raft/sim/describe.go).
    case "timeout":
      return `no answer in time; ${r.op === "read" ? "a read changes nothing, so ask again" : "it may still take effect"}`;
    case "crashed":
      return `${peerName(r.peer)} crashed before answering; ${r.op === "read" ? "a read changes nothing, so ask again" : "it may still take effect"}`;
    case "down":
      return `${peerName(r.peer)} is down`;
    case "failed":
      return r.reason ? `${peerName(r.peer)} refused it: ${r.reason.replace(/^raft: /, "")}` : `${peerName(r.peer)} refused it`;
    default:
      return ""; // a read's answer: the state itself says it
  }
}

// waitingText says how long a request still waits at virtual time now:
// its client gives up at its deadline and reports a timeout.
export function waitingText(r, now) {
  if (!r.deadline) return "";
  const left = Math.max(0, r.deadline - now);
  return `no answer yet: the client gives up at ${r.deadline.toLocaleString("en-US")} ms (in ${(left / 1000).toFixed(1)} s)`;
}

// eventFamily groups event kinds for the log's filters and row styling.
export function eventFamily(ev) {
  switch (ev.kind) {
    case "timeout":
    case "timers":
    case "transfer":
    case "term":
    case "role":
    case "vote":
    case "leader":
      return "elect";
    case "mark":
      return "mark";
    case "append":
    case "truncate":
    case "commit":
    case "apply":
    case "snapshot":
      return "log";
    case "request":
    case "reply":
      return "client";
    case "crash":
    case "restart":
    case "network":
    case "change":
      return "fault";
    case "violation":
      return "violation";
    default:
      return "msg"; // send, deliver, drop, reject
  }
}
