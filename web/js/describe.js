// Plain words for what the trace says: the event log, the message details
// and the request list all speak through here, so a student reads the same
// phrase for the same thing everywhere. Everything here only restates the
// trace (raft/sim/TRACE.md); it decides nothing about the protocol.

export const peerName = (id) => (id ? `s${id}` : "nobody");

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

// entryText is an entry as a student reads it in a log cell or a sentence.
export function entryText(e) {
  switch (e.type) {
    case "noop":
      return "no-op";
    case "config":
      return `config ${(e.members || []).map(peerName).join(" ")}`;
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

const dropWhy = {
  loss: "lost by the network",
  partition: "blocked: the link is cut",
  down: "not delivered: the receiver is down",
  user: "dropped by you",
};

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
    case "timeout":
      return "no answer in time; it may still take effect";
    case "crashed":
      return `${peerName(r.peer)} crashed before answering; it may still take effect`;
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

// describe turns one event into a sentence. full is the message as sent,
// for deliveries and drops (whose events name only the type and ends).
// With whole false, a long client name is cut short (short): the list
// then gives the whole sentence as the row's title.
export function describe(ev, full, whole = true) {
  const name = whole ? (n) => n : (n) => short(n, 16);
  const p = peerName(ev.peer);
  const m = ev.msg ? { ...ev.msg, ...(full || {}) } : null;
  const route = m ? `${peerName(m.from)} → ${peerName(m.to)}` : "";
  switch (ev.kind) {
    case "timeout":
      if (ev.reason === "user") return `${p}'s election timer was made to run out now, in term ${ev.term}: it stands for leader`;
      return `${p}'s election timer ran out in term ${ev.term}: it stands for leader`;
    case "transfer": {
      const to = peerName(ev.to);
      if (!ev.reason) return `${p} hands over leadership to ${to}: it sends ${to} what its log lacks, then tells it to stand now (TimeoutNow); it takes no writes meanwhile`;
      if (ev.reason === "gave-up") return `${p} gave up handing over to ${to}: ${to} did not take over within an election timeout; ${p} takes writes again`;
      return `${p} cannot hand over leadership to ${to}: ${ev.reason.replace(/^raft: /, "")}`;
    }
    case "timers":
      return ev.mode === "align"
        ? "election timers aligned: every waiting server times out in the same tick, votes for itself, and the vote splits"
        : "election timers spread: one waiting server times out first, well before the others, and its requests for votes arrive first";
    case "mark": {
      // The stage's name here; its whole note is in the guide.
      const name = ev.note.split(":")[0];
      return name === ev.note ? ev.note : `stage reached: ${name} (its note is in the guide)`;
    }
    case "term":
      return `${p} moved to term ${ev.term}`;
    case "role":
      if (ev.role === "leader") return `${p} won the election: leader of term ${ev.term}`;
      if (ev.role === "candidate") return `${p} became a candidate in term ${ev.term} and asks for votes`;
      if (ev.role === "precandidate")
        return `${p} became a pre-candidate: before it stands, it asks whether the others would vote for it in term ${ev.term + 1}; it stays in term ${ev.term} (PreVote)`;
      return `${p} became a follower (term ${ev.term})`;
    case "vote":
      return ev.vote === ev.peer
        ? `${p} voted for itself in term ${ev.term}`
        : `${p} voted for ${peerName(ev.vote)} in term ${ev.term}`;
    case "leader":
      return `${p} learned that ${peerName(ev.leader)} leads term ${ev.term}`;
    case "append": {
      const es = ev.entries || [];
      const what = es.map((e) => `${entryText(e)} (t${e.term})`).join(", ");
      const where = es.length > 1 ? `indexes ${ev.index}–${ev.index + es.length - 1}` : `index ${ev.index}`;
      return `${p} stored ${plural(es.length, "entry", "entries")} at ${where}: ${what}`;
    }
    case "snapshot":
      return ev.installed
        ? `${p} installed the leader's snapshot of entries ${range(1, ev.index)} (term ${ev.term}): it replaces its log up to #${ev.index} and its lock state with the leader's`
        : `${p} compacted entries ${range(1, ev.index)} into a snapshot (last term ${ev.term}, ${bytes(ev.size || 0)}): it keeps the lock's state as of #${ev.index} and drops those entries from its log`;
    case "truncate":
      return `${p} deleted its entries from index ${ev.index} on: they conflict with the leader's log`;
    case "commit":
      return `${p} now knows entries up to index ${ev.index} are committed`;
    case "apply": {
      const e = ev.entry || {};
      let s = `${p} applied #${ev.index} ${entryText(e)}`;
      if (ev.reply) s += ` → ${ev.reply}`;
      if (ev.skipped) s += " (a retry: answered from the session table, not run twice)";
      return s;
    }
    case "request":
      return ev.op === "read"
        ? `client ${name(ev.client)} asks ${p} to read the lock`
        : `client ${name(ev.client)} sends ${ev.op} to ${p}`;
    case "reply": {
      const why = outcomeText(ev);
      return `client ${name(ev.client)}'s ${ev.op} at ${p} → ${ev.outcome}${why ? ` (${why})` : ""}`;
    }
    case "crash":
      return ev.snapshotIndex
        ? `${p} crashed: it keeps its term, vote, snapshot (entries ${range(1, ev.snapshotIndex)}) and log; it loses its commit index and the lock state it had applied`
        : `${p} crashed: it keeps its term, vote and log; it loses its commit index and lock state`;
    case "restart":
      return ev.snapshotIndex
        ? `${p} restarted from disk: term ${ev.term}, voted for ${peerName(ev.vote)}, the lock state from its snapshot of entries ${range(1, ev.snapshotIndex)}, log up to index ${ev.index}`
        : `${p} restarted from disk: term ${ev.term}, voted for ${peerName(ev.vote)}, log up to index ${ev.index}`;
    case "network":
      return `network: ${describeAction(ev.action)}`;
    case "send":
      return `${route} ${messageName(m)} sent${ev.dup ? " (a duplicate copy)" : ""}`;
    case "deliver":
      return `${route} ${messageName(m)} arrived`;
    case "drop":
      return `${route} ${messageName(m)} ${dropWhy[ev.reason] || `dropped (${ev.reason})`}`;
    case "reject":
      return `${p} refused a malformed ${m ? m.type : "message"}${ev.reason ? `: ${ev.reason}` : ""}`;
    case "violation":
      return `SAFETY VIOLATION at ${p}: ${ev.reason}`;
    default:
      return `${ev.kind} at ${p}`;
  }
}

// describeAction says what a network action did.
export function describeAction(a) {
  if (!a) return "changed";
  switch (a.kind) {
    case "partition":
      return `split into ${(a.groups || []).map((g) => `{${g.map(peerName).join(" ")}}`).join(" and ")}`;
    case "heal":
      return "healed: every link works again";
    case "cut":
      return `link ${peerName(a.from)} → ${peerName(a.to)} cut`;
    case "restore":
      return `link ${peerName(a.from)} → ${peerName(a.to)} restored`;
    case "network": {
      const l = a.link || {};
      const parts = [];
      if (l.latencyMaxMs) parts.push(`latency ${l.latencyMinMs ?? 0}–${l.latencyMaxMs} ms`);
      parts.push(`loss ${Math.round((l.loss || 0) * 100)}%`);
      return `links now have ${parts.join(", ")}`;
    }
    default:
      return a.kind;
  }
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
      return "fault";
    case "violation":
      return "violation";
    default:
      return "msg"; // send, deliver, drop, reject
  }
}
