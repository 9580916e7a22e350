// The toolbar (play, step, skip, speed, the clock, share, help) and the
// run's setup in the guide (scenario, servers, seed, New run). It is given
// what it needs: the player, the simulator's scenarios and limits, and the
// page's actions; nothing else of the page.

import { html, setProp, setText } from "./svg.js";
import { SPEEDS } from "./player.js";
import { peerName } from "./describe.js";

const NUMBER = new Intl.NumberFormat("en-US"); // made once: toLocaleString makes one per call

export class Controls {
  // do: {step, back, skip(ms), share, restart(options), notify(text)}
  constructor(root, { player, scenarios, limits, do: act }) {
    this.root = root;
    this.player = player;
    this.limits = limits;
    this.playBtn = root.querySelector("[data-play]");
    this.playLabel = root.querySelector("[data-play-label]");
    this.speed = root.querySelector("[data-speed]");
    this.speedOut = root.querySelector("[data-speed-out]");
    this.clockOut = root.querySelector("[data-clock]");
    this.replaying = root.querySelector("[data-replaying]");
    this.setupForm = root.querySelector("[data-setup]");
    this.peersSel = root.querySelector("[data-peers]");
    this.seedIn = root.querySelector("[data-seed]");
    this.setupNote = root.querySelector("[data-setup-note]");
    this.startPeers = 0; // the servers the run's definition starts with
    this.model = null; // the run as the page knows it, once cluster() was told
    this.setupRun = -1; // the run whose setup this shows
    this.scenarioSel = root.querySelector("[data-scenario]");
    this.scenarioAbout = root.querySelector("[data-scenario-about]");
    this.switchBoxes = [...root.querySelectorAll("[data-switch]")];
    for (const box of this.switchBoxes) box.dataset.about = box.closest("label").title;
    this.help = root.querySelector("[data-help-dialog]");
    // The simulator names its starting setups; "election" takes a size.
    for (const sc of scenarios) {
      const o = html("option", { value: sc.name, "data-about": sc.summary }, this.scenarioSel, sc.name);
      if (sc.paperOnly) o.dataset.paperOnly = "";
    }
    for (let n = 1; n <= limits.peers; n++) html("option", { value: n }, this.peersSel, String(n));
    this.seedIn.max = String(limits.seed);
    this.speed.max = String(SPEEDS.length - 1);
    // A new size or setup starts a new run at once; a new seed waits for
    // "New run" (or Enter), since it is typed.
    this.scenarioSel.addEventListener("change", () => {
      this.sized();
      this.setupForm.requestSubmit();
    });
    this.peersSel.addEventListener("change", () => this.setupForm.requestSubmit());
    for (const box of this.switchBoxes) box.addEventListener("change", () => this.setupForm.requestSubmit());
    this.playBtn.addEventListener("click", () => player.toggle());
    root.querySelector("[data-step]").addEventListener("click", () => act.step());
    root.querySelector("[data-back]").addEventListener("click", () => act.back());
    root.querySelector("[data-skip]").addEventListener("click", () => act.skip(100));
    this.speed.addEventListener("input", () => player.setSpeed(Number(this.speed.value)));
    root.querySelector("[data-help]").addEventListener("click", () => this.showHelp());
    root.querySelector("[data-share]").addEventListener("click", () => act.share());
    this.setupForm.addEventListener("submit", (e) => {
      e.preventDefault();
      const seed = Number(this.seedIn.value);
      if (!Number.isSafeInteger(seed) || seed < 0 || seed > limits.seed) {
        act.notify(`A seed is a whole number from 0 to ${limits.seed}.`);
        this.seedIn.focus();
        return;
      }
      const scenario = this.scenarioSel.value;
      const options = scenario === "election" ? { peers: Number(this.peersSel.value), seed } : { scenario, seed };
      for (const box of this.switchBoxes) if (box.checked && !box.disabled) options[box.dataset.switch] = true;
      act.restart(options);
    });
  }

  showHelp() {
    if (!this.help.open) this.help.showModal();
  }

  // state shows whether the run plays and how fast.
  state() {
    const p = this.player;
    this.playBtn.setAttribute("aria-pressed", String(p.playing));
    setText(this.playLabel, p.playing ? "Pause" : "Play");
    this.speed.value = String(p.speedIndex);
    const text = `${SPEEDS[p.speedIndex]}×`;
    setText(this.speedOut, text);
    this.speed.setAttribute("aria-valuetext", `${text} real time`);
    this.root.toggleAttribute("data-paused", !p.playing);
  }

  clock(t) {
    setText(this.clockOut, `${NUMBER.format(Math.floor(t))} ms`);
  }

  // pending says how many recorded actions a replayed run has still to play.
  pending(n) {
    const p = this.replaying;
    setProp(p, "hidden", n === 0);
    setText(p, n === 1 ? "replay: 1 recorded action ahead" : `replay: ${n} recorded actions ahead`);
    setProp(p, "title", "Going back replays the run; your later actions play again, until you act: then the run takes the new path.");
  }

  // setup shows the run's definition: the servers it starts with (not the
  // servers it has now: a membership change adds or removes some), its
  // seed and its scenario. New run, a reload and a shared link start there.
  setup(peers, seed, scenario = "election") {
    this.startPeers = peers;
    this.setupRun = this.model ? this.model.run : -1;
    this.peersSel.value = String(peers);
    this.seedIn.value = String(seed);
    if ([...this.scenarioSel.options].some((o) => o.value === scenario)) this.scenarioSel.value = scenario;
    this.sized();
    if (this.model) this.cluster(this.model);
  }

  // cluster says, under the setup, how a membership change made the
  // cluster differ from the servers the run started with.
  cluster(model) {
    this.model = model;
    const start = this.startPeers;
    const what = [];
    // A new run's servers are compared once its setup is known.
    // Said as things are now: a server started for an addition the leader
    // refused is out, never added.
    for (const p of model.run === this.setupRun ? model.peers : []) {
      const standing = model.standing(p.id);
      if (standing === "out") what.push(`${peerName(p.id)} out of the cluster`);
      // A server of the start removed and added again is a learner too.
      else if (standing === "learner") what.push(`${peerName(p.id)} joining as a learner`);
      else if (p.id > start && standing) what.push(`${peerName(p.id)} added`);
    }
    const text = what.length ? `${what.join(", ")}; New run starts with ${start} ${start === 1 ? "server" : "servers"}.` : "";
    const news = text !== "" && text !== this.setupNote.textContent;
    setProp(this.setupNote, "hidden", what.length === 0);
    setText(this.setupNote, text);
    // A new note, and Add a server beside it, come into view where the
    // guide scrolls (a laptop's, where the run's setup has little room).
    if (news) reveal(this.setupNote.closest(".tool-row"));
  }

  // switches shows the run's PreVote and CheckQuorum (its status says).
  switches(status) {
    for (const box of this.switchBoxes) box.checked = Boolean(status[box.dataset.switch]);
  }

  get scenario() {
    return this.scenarioSel.value;
  }

  // sized offers the number of servers only where the setup takes one (a
  // scenario brings its own cluster), and says what the setup does.
  sized() {
    const sc = this.scenarioSel.selectedOptions[0];
    this.peersSel.disabled = this.scenarioSel.value !== "election";
    // A story of the paper's Raft, step by step (figure8), takes neither.
    const paper = Boolean(sc && sc.dataset.paperOnly !== undefined);
    for (const box of this.switchBoxes) {
      box.disabled = paper;
      if (paper) box.checked = false;
      box.closest("label").title = paper ? "This scenario plays the paper's Raft step by step: PreVote and CheckQuorum would change its story" : box.dataset.about;
    }
    setText(this.scenarioAbout, sc ? sc.dataset.about : "");
  }
}

// reveal scrolls the guide (it alone: never the page) so that el is wholly
// in view in it, when the guide scrolls at all.
function reveal(el) {
  const guide = el && el.closest(".guide");
  if (!guide || guide.scrollHeight <= guide.clientHeight) return;
  const r = el.getBoundingClientRect();
  const g = guide.getBoundingClientRect();
  if (r.bottom > g.bottom) guide.scrollTop += Math.min(r.bottom - g.bottom + 4, r.top - g.top);
  else if (r.top < g.top) guide.scrollTop -= g.top - r.top + 4;
}
