// The playground page: wires the model, the player and the views together.
// Every user action takes the same path: the player catches the run up to
// the instant on screen, the API applies the action (recording it in the
// run's definition), and the events it caused flow back into the model and
// from there to the views.

import { Model } from "./model.js";
import { Player } from "./player.js";
import { Ring } from "./ring.js";
import { Messages } from "./messages.js";
import { Logs } from "./log.js";
import { Clients } from "./clients.js";
import { Network } from "./network.js";
import { EventLog } from "./eventlog.js";
import { Controls } from "./controls.js";
import { Popover } from "./popover.js";
import { Tabs } from "./tabs.js";
import { Guide } from "./guide.js";
import { bindKeys } from "./keys.js";
import { bindMenus } from "./menu.js";
import { setText } from "./svg.js";
import { list, peerName } from "./describe.js";
import { decodeRun, encodeRun } from "./share.js";
import { Stage } from "./stage.js";
import { download, viewPNG, viewSVG } from "./export.js";
import { shortLink } from "./shortlink.js";
import { addressFor } from "./address.js";
import { Work } from "./work.js";
import { Checks } from "./checks.js";
import { SearchWorker } from "./search.js";
import { SpaceTime } from "./spacetime.js";
import { bindDrop, readRun } from "./openfile.js";

// With reduced motion asked for, the run starts paused and messages jump
// along their links instead of gliding (messages.js).
const STILL = matchMedia("(prefers-reduced-motion: reduce)");

const NOTICE_MS = 6000;
// A search for a counterexample runs up to this many seeds in the worker,
// stops at the first few that fail, and plays the one that fails soonest,
// from this long before it fails.
const SEARCH_SEEDS = 100;
const SEARCH_ENOUGH = 3;
const BEFORE_MS = 300;

// Wall time between redraws of the logs and requests while playing: a
// redraw repaints every log row, which costs a frame about 3 ms here.
const PANELS_MS = 250;

export class App {
  constructor(host, api) {
    this.host = host;
    this.api = api;
    this.model = new Model();
    this.peerCount = 0;
    this.wasPlaying = false;
    this.panelsDue = false;
    this.panelsAt = 0;
    const $ = (sel) => host.querySelector(sel);

    this.player = new Player(api, this.model, {
      take: (answer) => this.take(answer),
      frame: (t) => this.frame(t),
      state: () => {
        this.controls.state();
        // On pausing, the log lists every recent event, not a sample.
        if (this.wasPlaying && !this.player.playing) {
          this.events.rebuild();
          this.panels();
          this.drawDiagram();
          this.checkAtPause();
        }
        this.wasPlaying = this.player.playing;
        if (this.lesson) this.lesson.playback();
      },
      settled: () => this.work.done(),
    });
    // cancel goes straight to the simulator: the player's calls wait
    // behind the very work it ends.
    this.work = new Work($("[data-work]"), $("[data-halted]"), () => api.cancel());
    const ringSvg = $("[data-ring]");
    this.popover = new Popover($("[data-workspace]"), $("[data-popover]"), {
      // The menu closes on a crash or a restart, so the server's new look
      // is in view (focus goes back to the server).
      crash: (id) => this.act(() => api.crash(id)).then(() => this.popover.hide(true)),
      restart: (id) => this.act(() => api.restart(id)).then(() => this.popover.hide(true)),
      timeout: (id) => this.act(() => api.timeout(id)),
      transfer: (id) => this.act(() => api.transfer(id)),
      add: (id) => this.change(() => api.add(id)),
      remove: (id) => this.change(() => api.remove(id)),
      link: (a, b) => this.toggleLink(a, b),
      isCut: (a, b) => this.ring.isCut(a, b),
      isolate: (id) => this.isolate(id),
      heal: () => this.act(() => api.heal()),
      target: (id) => this.clients.choose(id),
      drop: (id) => this.drop(id),
      closed: () => {
        this.messages.select(0);
        this.diagram.select(0);
      },
    });
    this.ring = new Ring({ box: $("[data-ring-box]"), ring: ringSvg, live: $("[data-ring-live]"), labels: $("[data-ring-labels]"), still: STILL }, {
      peer: (id, el) => this.popover.showPeer(this.model, id, el, document.activeElement === el),
      link: (a, b) => this.toggleLink(a, b),
      moved: (at, clear) => {
        this.messages.move(at, clear);
        this.popover.place();
        if (!this.player.playing) this.frame(this.player.display);
      },
    });
    this.messages = new Messages($("[data-messages]"), $("[data-bursts]"), STILL, $("[data-undrawn]"), {
      hover: (id, el) => (id ? this.popover.showMessage(this.model, id, el, false) : this.popover.hideHover()),
      pick: (id, el) => {
        this.messages.select(id);
        this.diagram.select(id);
        this.popover.showMessage(this.model, id, el, true);
      },
    });
    this.logs = new Logs($("[data-logs]"));
    this.clients = new Clients($(".clients"), api.limits, (op, client, peer) =>
      this.act(() => (op === "read" ? api.read({ client, peer }) : api.write({ client, op, peer }))),
    );
    this.network = new Network($(".network"), (call, ...args) => this.act(() => api[call](...args)), (text) => this.notify(text));
    this.events = new EventLog($(".events"));
    this.diagram = new SpaceTime($("[data-spacetime]"), {
      // A message still in flight is selected in the ring too.
      pick: (id) => {
        const el = this.messages.select(id);
        if (el) this.popover.showMessage(this.model, id, el, true);
      },
      events: (after) => api.events(after, 5000),
      save: (text) => this.saveDiagram(text),
    });
    this.diagramAt = 0;
    this.tabs = new Tabs($("[data-tabs]"), (name) => {
      if (name === "events") this.events.shown();
      this.diagram.visible(name === "diagram");
      if (name === "diagram") this.drawDiagram();
    });
    this.guide = new Guide($("[data-guide]"));
    this.limits = api.limits;
    this.controls = new Controls(host, {
      player: this.player,
      scenarios: api.scenarios,
      limits: api.limits,
      do: {
        step: () => this.step(),
        back: () => this.back(),
        skip: (ms) => this.skip(ms),
        share: () => this.share(),
        restart: (options) => this.restart(options),
        notify: (text) => this.notify(text),
      },
    });
    const player = this.player;
    bindKeys({
      toggle: () => player.toggle(),
      step: () => this.step(),
      back: () => this.back(),
      skip: () => this.skip(100),
      slower: () => player.setSpeed(player.speedIndex - 1),
      faster: () => player.setSpeed(player.speedIndex + 1),
      previous: () => this.selectMessage(-1),
      next: () => this.selectMessage(1),
      drop: () => this.dropSelected(),
      crash: () => this.crashFocused(),
      help: () => this.controls.showHelp(),
      close: () => this.popover.hide(true),
      focusPeer: (id) => this.focusPeer(id),
    });
    this.stage = new Stage($("[data-stage]"), () => this.rewind());
    // The rules this run breaks (a definition's config.broken).
    this.broken = [];
    this.checks = new Checks($("[data-checks]"), $("[data-tab=checks]"), { properties: api.properties || [], rules: api.rules || [] }, {
      breakRule: (rule) => this.restart({ peers: this.controls.startPeers || 3, seed: Number(this.controls.seedIn.value) || 0, broken: [rule] }),
      search: (rule) => this.search(rule),
      cancel: () => this.cancelSearch(),
      checkHistory: () => this.checkHistory(),
    });
    for (const b of host.querySelectorAll("button[data-timers]")) b.addEventListener("click", () => this.act(() => api.timers(b.dataset.timers)));
    $("[data-add-server]").addEventListener("click", () => this.change(() => api.add()));
    for (const b of host.querySelectorAll("[data-save-as]")) b.addEventListener("click", () => this.save(b.dataset.saveAs));
    bindMenus(host);
    const chooser = $("[data-open-input]");
    $("[data-open-run]").addEventListener("click", () => chooser.click());
    chooser.addEventListener("change", () => {
      if (chooser.files[0]) this.openRun(chooser.files[0]);
      chooser.value = "";
    });
    bindDrop(host, (file) => this.openRun(file));
    this.searcher = new SearchWorker((p) => this.checks.searching({ ...p, text: p.call === "search" ? `Searching: ${p.time} of ${p.until} runs` : "" }));
    this.summary = $("[data-summary]");
    this.toast = $("[data-toast]");
    this.toastTimer = 0;
    this.queued = [];
    this.haltedShown = "";
    this.lesson = null; // the guided lessons (lesson.js), told when the student acts
    this.checkedSeq = -1; // the instant whose clients' history was last checked at a pause
  }

  // start shows the run the simulator made on loading and plays it, or,
  // for a shared link, replays the shared run to its instant, paused.
  // paused: the address asked not to start playing.
  async start(detail, startAt, paused = false) {
    const page = (detail && detail.page) || {};
    this.controls.setup(page.peers || 3, page.seed ?? 1, page.scenario || "election");
    let shared = null;
    try {
      shared = await decodeRun(location.hash, this.limits);
    } catch (err) {
      this.notify(`${err.message} A fresh run was started instead.`);
    }
    if (shared) {
      this.work.named("Replaying the shared run");
      // The rules it breaks are set before the run arrives: the new run
      // resets Checks with them, and the violations the replay found come
      // in right after (catchUp).
      const c = shared.def.config || {};
      const before = this.broken;
      this.broken = Array.isArray(c.broken) ? c.broken : [];
      const r = await this.player.restart(() => this.api.replay(shared.def, shared.t));
      if (r.error) this.broken = before;
      else {
        this.controls.setup(c.peers || 3, shared.def.seed ?? 1);
        this.guide.reset("shared");
        this.restorePanels(shared.panels);
        this.controls.state();
        // A run that stopped at a limit says so beside the ring (halted).
        if (this.model.status.halted) this.notify(`The shared run, replayed to ${this.model.time.toLocaleString("en-US")} ms, where it stopped.`);
        else this.notify(`The shared run, replayed to ${shared.t.toLocaleString("en-US")} ms. Play to go on from there.`);
        return;
      }
      if (r.code === "canceled") this.notify("You canceled the shared run's replay: here is a new run instead. Open the link again to replay it.");
      else this.notify(`This link's run could not be replayed: ${r.error}. A fresh run was started instead.`);
    }
    await this.player.restart(() => this.api.status());
    // A scenario brings its own cluster: show its size, not the default.
    this.controls.setup(this.model.peers.length || page.peers || 3, page.seed ?? 1, page.scenario || "election");
    this.guide.reset(this.controls.scenario);
    this.controls.state();
    if (startAt > 0) await this.skip(startAt);
    else if (paused) return; // the address asked for it: the Play button says the rest
    else if (STILL.matches) this.notify("Paused, as your system asks for reduced motion: press Play (or Space) to run. Messages then jump along their links rather than glide.");
    else this.player.play();
  }

  // share puts a link to this instant of this run in the address bar and,
  // where the browser allows, on the clipboard.
  async share() {
    if (this.lesson && this.lesson.active) return this.lesson.share();
    const def = await this.api.definition();
    if (def.error) return this.notify(def.error);
    const t = this.model.time;
    const url = addressFor({}, await encodeRun(def, t, this.panelsState()));
    history.replaceState(null, "", url);
    // Where the site keeps short links, the link to copy is a short one.
    const short = await shortLink(url.hash.slice(1), url.search);
    const link = short.url || url.href;
    const what = short.url ? `Short link ${short.url}` : "Link";
    try {
      await navigator.clipboard.writeText(link);
      this.notify(`${what} copied: it replays this run to ${t.toLocaleString("en-US")} ms. ${short.why}`.trim());
    } catch {
      const where = short.url ? `The short link is ${short.url}; the address bar holds the long one` : "The address bar now links to this run";
      this.notify(`${where} at ${t.toLocaleString("en-US")} ms: copy it from there. ${short.why}`.trim());
    }
  }

  // save downloads the view as a picture, or the run as JSON.
  async save(kind) {
    const t = Math.floor(this.model.time);
    const name = `raft-${this.controls.scenarioSel.value}-seed${this.controls.seedIn.value}-${t}ms`;
    try {
      if (kind === "json") {
        const r = await this.api.exportTrace();
        if (r.error) return this.notify(r.error);
        download(new Blob([r.json], { type: "application/json" }), `${name}.json`);
        return this.notify(`Saved ${name}.json: the run's definition and its trace (raft/sim/TRACE.md). The playground replays it exactly.`);
      }
      const svg = viewSVG(this.host, `Raft · ${this.summary.textContent} · ${t.toLocaleString("en-US")} ms`);
      const blob = kind === "svg" ? new Blob([svg], { type: "image/svg+xml" }) : await viewPNG(svg);
      download(blob, `${name}.${kind}`);
      this.notify(`Saved ${name}.${kind}: the ring and the logs as they are now.`);
    } catch (err) {
      this.notify(`Could not save: ${err.message}`);
    }
  }

  // rewind follows the other future a stage offers (Figure 8's (e), from
  // (c)): the run goes back to where the two part, paused, and plays the
  // other from there.
  async rewind() {
    this.player.pause();
    const r = await this.player.restart(() => this.api.rewind());
    if (r.error) return this.notify(r.error);
    this.notify(`Back at ${this.model.time.toLocaleString("en-US")} ms, where the two futures part. Play to see the other one.`);
  }

  // panelsState is what a share link keeps of the panels around the run.
  panelsState() {
    return { ...this.clients.state(), sides: this.network.sides, ...this.events.state(), tab: this.tabs.current };
  }

  restorePanels(p) {
    this.clients.restore(p);
    this.network.restore(p.sides);
    this.events.restore(p);
    if (p.tab) this.tabs.show(p.tab);
  }

  take(answer) {
    const m = this.model;
    const changed = m.take(answer);
    // The trace's cursor, for tests and tools that wait on the page.
    this.host.dataset.seq = String(m.status.seq);
    if (m.status.halted !== this.haltedShown) {
      this.haltedShown = m.status.halted;
      this.work.stopped(m.status.halted);
      if (m.status.halted) this.player.pause();
    }
    if (changed.run) {
      this.controls.switches(m.status);
      this.stage.clear();
      this.events.clear();
      this.clients.clear();
      this.popover.hide();
      this.checks.reset(this.broken);
      this.highlight(null);
    }
    if (changed.events.length) this.guide.seen(changed.events);
    if (m.peers.length && m.peers.length !== this.peerCount) this.layout(m.peers.length);
    if (changed.peers) {
      this.ring.update(m, changed);
      this.network.update(m);
      this.summarize();
      this.controls.cluster(m);
      this.panelsDue = true;
    }
    if (changed.messages) this.messages.sync(m);
    this.messages.burst(m.takeBursts());
    if (changed.requests) this.panelsDue = true;
    if (!this.player.playing) this.panels();
    if (changed.events.length) this.events.add(m, changed.events, !this.player.playing);
    this.stage.take(changed.events, m.time);
    this.diagram.take(m.run, changed.events);
    if (!this.player.playing) this.diagram.draw(this.player.display, false);
    const found = this.checks.take(changed.events);
    if (found.length) this.violated(found[0]);
    if ((m.status.violations || 0) > this.checks.known) this.catchUp(m.run);
    this.controls.pending(m.status.pending || 0);
    if (this.popover.open) this.popover.refresh(m);
  }

  layout(n) {
    this.peerCount = n;
    // Many servers need a taller ring: a compact view then puts the logs
    // beside it rather than under it (style.css).
    this.host.dataset.size = n >= 6 ? "large" : "small";
    this.ring.build(n);
    this.messages.layout(this.ring.at, this.ring.clear);
    this.clients.peers(n);
    this.network.peers(n);
    this.events.peers(n);
    this.diagram.layout(n);
  }

  frame(t) {
    // Paused, an instant shown (a Step, a skip) is drawn whole at once:
    // the diagram reaches it, marks it and scrolls to it.
    if (this.player.playing) this.diagram.frame(t);
    else this.diagram.draw(t, false);
    if (this.diagram.shown && this.player.playing && performance.now() - this.diagramAt >= PANELS_MS) {
      this.diagramAt = performance.now();
      this.diagram.draw(t, true);
    }
    this.ring.frame(t);
    this.messages.frame(t);
    this.controls.clock(t);
    if (this.panelsDue && performance.now() - this.panelsAt >= PANELS_MS) this.panels();
  }

  // drawDiagram draws the space-time diagram as it is now: while paused,
  // the whole run, read from the trace if the page's calls left some out.
  async drawDiagram() {
    if (!this.diagram.shown) return;
    if (!this.player.playing) await this.diagram.backfill(this.model.run, this.model.status.seq);
    this.diagram.draw(this.player.display, this.player.playing, true);
  }

  saveDiagram(text) {
    const t = Math.floor(this.player.display);
    const name = `raft-diagram-seed${this.controls.seedIn.value}-${t}ms.svg`;
    download(new Blob([text], { type: "image/svg+xml" }), name);
    this.notify(`Saved ${name}: the space-time diagram as it is drawn now.`);
  }

  // panels redraws the logs and the requests: text to read, which while
  // playing changes a few times a second, not on every frame.
  panels() {
    if (!this.panelsDue) return;
    this.panelsDue = false;
    this.panelsAt = performance.now();
    this.logs.update(this.model);
    this.clients.update(this.model);
    const [first, last] = this.logs.window();
    this.guide.update(this.model, first, last);
  }

  // summarize says who leads, and who does not know it yet: the leader is
  // the one with the highest term, but a server learns of it only from its
  // messages.
  summarize() {
    const { leader, term } = this.model.status;
    const q = this.model.majority();
    const parts = [];
    const up = this.model.peers.filter((p) => p.up);
    if (leader) {
      parts.push(`${peerName(leader)} leads term ${term}.`);
      const others = up.filter((p) => p.id !== leader && p.role !== "leader" && this.model.standing(p.id) !== "out");
      const unaware = others.filter((p) => p.leader !== leader && p.role !== "precandidate").map((p) => peerName(p.id));
      const asking = others.filter((p) => p.role === "precandidate").map((p) => peerName(p.id));
      if (unaware.length && unaware.length === others.length) parts.push("No other server has heard from it yet.");
      else if (unaware.length) parts.push(`${list(unaware)} ${unaware.length === 1 ? "has" : "have"} not heard from it yet.`);
      // A pre-candidate has stopped hearing from the leader (PreVote).
      if (asking.length) parts.push(`${list(asking)} ${asking.length === 1 ? "hears" : "hear"} from no leader and ${asking.length === 1 ? "asks" : "ask"} for pre-votes.`);
    } else if (up.some((p) => p.role === "candidate")) parts.push("No leader: an election is under way.");
    else if (up.some((p) => p.role === "precandidate")) parts.push("No leader: a server asks whether it would be elected (PreVote).");
    else parts.push("No leader yet.");
    if (q) parts.push(`A majority is ${q.size} of ${q.of} servers.`);
    const c = this.model.membership();
    if (c && c.learners.length) {
      const names = c.learners.map(peerName);
      parts.push(`${list(names)} ${names.length === 1 ? "is a learner" : "are learners"}: catching up, not counted yet.`);
    }
    // A leader cut off from the majority goes on believing it leads.
    for (const p of up) {
      if (p.role === "leader" && p.id !== leader) parts.push(`${peerName(p.id)} still believes it leads term ${p.term}.`);
    }
    setText(this.summary, parts.join(" "));
  }

  // openRun replays a run from a file (chosen or dropped) to where
  // raftsim -replay stops, paused; a file that is no run changes nothing.
  async openRun(file) {
    let run;
    try {
      run = await readRun(file, this.limits);
    } catch (err) {
      return this.notify(`Could not open it: ${err.message}.`);
    }
    if (this.lesson) this.lesson.stop();
    this.player.pause();
    this.work.named(`Replaying ${file.name}`);
    const before = this.broken;
    this.broken = (run.def.config && Array.isArray(run.def.config.broken) && run.def.config.broken) || [];
    const r = await this.player.restart(() => this.api.replay(run.def, run.until));
    if (r.error) {
      this.broken = before;
      return this.notify(r.code === "canceled" ? `You canceled opening ${file.name}.` : `Could not open ${file.name}: ${r.error}.`);
    }
    // The box shows the servers the run starts with, not those it has
    // at its end (a membership change adds some).
    this.controls.setup((run.def.config && run.def.config.peers) || this.model.peers.length, run.def.seed ?? 0);
    this.guide.reset("opened");
    this.panelsDue = true;
    this.panels();
    this.controls.state();
    history.replaceState(null, "", location.pathname);
    this.notify(`Opened ${file.name}: ${run.what === "trace" ? "the trace's run, replayed to its last event" : "the run it defines, replayed to 5 s after its last action"}, at ${this.model.time.toLocaleString("en-US")} ms. Back and Play go on from there.`);
  }

  // search runs, in the search worker, the campaign that breaks rule for
  // SEARCH_SEEDS seeds, and plays the run that fails soonest: replayed to
  // a little before the violation, paused, with what is about to fail.
  async search(rule) {
    this.player.pause();
    this.checks.searching({ time: 0, until: SEARCH_SEEDS, text: "Starting the search worker…" });
    const answer = await this.searcher.call("search", { rule, seeds: SEARCH_SEEDS, shortest: true, enough: SEARCH_ENOUGH });
    this.checks.searching(null);
    if (answer.error) return answer.code === "canceled" ? this.notify("Search canceled.") : this.notify(`The search failed: ${answer.error}`);
    if (!answer.found) return this.notify(`None of ${answer.searched} runs with faults broke a guarantee with ${rule} broken: try again with another rule.`);
    const def = answer.definition;
    const at = Math.max(0, answer.time - BEFORE_MS);
    this.broken = (def.config && def.config.broken) || [rule];
    const r = await this.player.restart(() => this.api.replay(def, at));
    if (r.error) return this.notify(r.error);
    this.controls.setup((def.config && def.config.peers) || this.model.peers.length, def.seed ?? 0);
    this.guide.reset("found");
    this.panelsDue = true;
    this.panels();
    this.checks.explain(answer.violation, this.model, true);
    this.tabs.show("checks");
    this.notify(`Found: run ${answer.seed} of the search fails at ${answer.time.toLocaleString("en-US")} ms. Shown ${BEFORE_MS} ms before: Play or Step to watch it happen.`);
  }

  cancelSearch() {
    this.searcher.stop();
    this.checks.searching(null);
  }

  // checkAtPause checks the clients' history when a run that played
  // pauses with the Checks tab open and requests made since the last check;
  // the worker is loaded only once the student looks at the checks.
  checkAtPause() {
    if (this.tabs.current !== "checks" || this.searcher.running || !this.model.requests.size) return;
    if (this.checkedSeq === this.model.status.seq) return;
    this.checkedSeq = this.model.status.seq;
    this.checkHistory(true);
  }

  // checkHistory checks, in the search worker, that the clients' history
  // so far is linearizable (porcupine, which the page itself does without).
  // quiet: checked at a pause, only a violation or a failure speaks up.
  async checkHistory(quiet = false) {
    const def = await this.api.definition();
    if (def.error) return this.notify(def.error);
    const t = Math.floor(this.model.time);
    this.checks.searching({ time: 0, until: 1, text: `Checking the clients' history up to ${t.toLocaleString("en-US")} ms…` });
    const answer = await this.searcher.call("check", def, t);
    this.checks.searching(null);
    if (answer.error) return answer.code === "canceled" ? null : this.notify(`The check failed: ${answer.error}`);
    this.checks.history(answer);
    if (answer.violation) {
      this.tabs.show("checks");
      this.checks.explain(answer.violation, this.model);
      this.highlight(answer.violation);
    } else if (!quiet) this.notify(answer.linearizable === "yes" ? `The ${answer.operations} client operations so far are linearizable.` : "The check ran out of time: the answer is unknown.");
  }

  // catchUp asks for the violations the events did not bring (a replay
  // starts the page's events late; a gap skips some), so Checks never says
  // "holds" of a property the run has broken. They are crossed out and the
  // earliest explained, quietly: the run does not jump to the Checks tab
  // for what happened long before the instant on screen (the tab's ✗ says it).
  async catchUp(run) {
    if (this.catchingUp === run) return;
    this.catchingUp = run;
    const found = [];
    try {
      for (let from = 0; ; ) {
        const a = await this.api.violations(from);
        if (a.error || a.run !== run || this.model.run !== run) break;
        found.push(...this.checks.take(a.violations));
        from += a.violations.length;
        if (!a.more) break;
      }
    } finally {
      if (this.catchingUp === run) this.catchingUp = null;
    }
    if (found.length && this.model.run === run) this.checks.explain(found.reduce((a, b) => (a.seq < b.seq ? a : b)), this.model);
  }

  // violated shows a violation the checkers found: the run pauses there
  // (the player stops right after the event that broke the property), the
  // Checks tab says what failed, and what it involves is highlighted.
  violated(ev) {
    this.player.pause();
    this.tabs.show("checks");
    this.checks.explain(ev, this.model);
    this.highlight(ev);
    this.panels();
  }

  // highlight marks what a violation involves (null: nothing).
  highlight(ev) {
    this.ring.highlight(ev ? ev.peers || [ev.peer] : []);
    this.logs.highlight(ev ? (ev.entries || []).map((e) => e.index) : []);
    this.messages.highlight(ev ? ev.msgs || [] : []);
    this.events.highlight(ev ? [ev.seq, ev.cause].filter(Boolean) : []);
    this.diagram.highlight(ev ? ev.msgs || [] : []);
  }

  // act runs a user action and reports a refusal in words.
  async act(fn) {
    const r = await this.player.act(fn);
    if (r && r.error) this.notify(r.error);
    else if (this.lesson) this.lesson.touched();
    return r;
  }

  // change asks the leader to add or remove a server; the leader's refusal
  // (a change under way, its no-op not committed yet) is an event, said
  // at once too.
  async change(fn) {
    const r = await this.act(fn);
    const ev = this.model.events.findLast((e) => e.kind === "change" && e.op !== "new");
    if (r && !r.error && ev && ev.reason && ev.time === this.model.time) this.notify(ev.text);
    return r;
  }

  step() {
    return this.player.step().then((r) => {
      if (r.error) this.notify(r.error);
      else if (!r.stepped && !r.halted) this.notify("Nothing happens in the next 60 s of simulated time.");
      else if (this.lesson) this.lesson.moved();
    });
  }

  // back goes to the previous moment something happened: the run is
  // replayed from its definition to that instant (the simulator is
  // deterministic, so it is that instant exactly). The actions recorded
  // after it stay pending and play again, until a new action forks the run.
  async back() {
    this.player.pause();
    const t = this.model.time;
    let prev = 0;
    for (let i = this.model.events.length - 1; i >= 0; i--) {
      if (this.model.events[i].time < t) {
        prev = this.model.events[i].time;
        break;
      }
    }
    const def = await this.api.definition();
    if (def.error) return this.notify(def.error);
    const r = await this.player.restart(() => this.api.replay(def, prev));
    if (r.error) this.refused(r);
    else if (this.lesson) this.lesson.moved();
  }

  skip(ms) {
    return this.player.skip(ms).then((r) => (r.error ? this.refused(r) : this.lesson && this.lesson.moved()));
  }

  // refused tells why a call failed; one the student canceled changed nothing.
  refused(r) {
    this.notify(r.code === "canceled" ? "Canceled: the run stays where it was." : r.error);
  }

  async restart(options) {
    if (this.lesson) this.lesson.stop();
    this.player.pause();
    const before = this.broken;
    this.broken = options.broken || [];
    const r = await this.player.restart(() => this.api.create(options));
    if (r.error) {
      this.broken = before;
      return this.notify(r.error);
    }
    this.controls.setup(this.model.peers.length, options.seed, options.scenario || "election");
    this.guide.reset(options.scenario || "election");
    // The run's setup in the address, so a reload or a shared link shows
    // it (a broken rule travels in a shared link's definition).
    const { preVote, checkQuorum, broken, ...query } = options;
    if (preVote) query.prevote = 1;
    if (checkQuorum) query.checkquorum = 1;
    history.replaceState(null, "", addressFor(query, ""));
    if (broken && broken.length) this.notify(`A new run in which every server breaks ${broken.join(", ")}. Crash servers, split the network, send requests: the Checks tab says what fails.`);
    if (!STILL.matches) this.player.play();
  }

  isolate(id) {
    const others = this.model.peers.map((p) => p.id).filter((x) => x !== id);
    return this.act(() => this.api.partition([[id], others]));
  }

  // toggleLink cuts both directions of a link, or restores both.
  toggleLink(a, b) {
    const api = this.api;
    if (this.ring.isCut(a, b)) {
      const snap = this.model.snapshot;
      const grouped = snap && snap.groups && snap.groups.length;
      if (grouped) return this.notify("This link is cut by the partition: heal the network to restore it.");
      return this.act(async () => {
        const r = await api.restore(a, b);
        return r.error ? r : api.restore(b, a);
      });
    }
    return this.act(async () => {
      const r = await api.cut(a, b);
      return r.error ? r : api.cut(b, a);
    });
  }

  async drop(id) {
    const r = await this.act(() => this.api.drop(id));
    if (!r.error) this.popover.hide();
  }

  selectMessage(dir) {
    const id = this.messages.neighbour(dir);
    if (!id) return this.notify("No message is in flight.");
    const el = this.messages.select(id);
    this.diagram.select(id);
    this.popover.showMessage(this.model, id, el, true);
  }

  dropSelected() {
    const id = this.messages.selected;
    if (!id) return false;
    this.drop(id);
    return true;
  }

  focusPeer(id) {
    const n = this.ring.node(id);
    if (!n) return false;
    n.g.focus();
    return true;
  }

  crashFocused() {
    const g = document.activeElement && document.activeElement.closest && document.activeElement.closest(".peer");
    if (!g) return false;
    const id = Number(g.dataset.peer);
    const p = this.model.peer(id);
    if (!p) return false;
    this.act(() => (p.up ? this.api.crash(id) : this.api.restart(id)));
    return true;
  }

  // notify shows text in the notice, after any notices queued before the
  // run started (so one does not hide another).
  notify(text) {
    text = [...this.queued.splice(0), text].filter(Boolean).join(" ");
    setText(this.toast, text);
    this.toast.hidden = false;
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => (this.toast.hidden = true), NOTICE_MS);
  }
}
