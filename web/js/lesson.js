// Guided lessons (docs/LESSONS.md) on the page's own run. A lesson is one
// definition: the simulator plays it once (the API's lesson call) and says
// where each step starts and ends; showing step N is replaying the
// definition cut after step N's actions to the step's start, and playing
// it is playing the run to the step's end. So at any step the run on screen
// is an ordinary run: "Explore from here" just stops guiding, and Back,
// Step and share links go on working. The address says lesson and step, so
// a reload comes back to the same place.

import { LessonPanel } from "./lessonpanel.js";
import { encodeRun } from "./share.js";

const STILL = matchMedia("(prefers-reduced-motion: reduce)");

// The message kinds of messages.js that a caption's message names light up.
const KINDS = { RequestVote: "vote", AppendEntries: "append", heartbeat: "heartbeat", InstallSnapshot: "snapshot", ReadIndex: "client" };

export class Lessons {
  constructor(app) {
    this.app = app;
    this.index = null; // [{name, title}], from lessons/index.json
    this.outline = null; // the lesson being followed, as the API played it
    this.step = 0; // 0-based
    this.run = 0; // the API's run the step was replayed into
    this.state = "idle"; // start | playing | done: the step's playback
    this.answers = new Map(); // step -> the option the student chose
    this.panel = new LessonPanel(app.host.querySelector("[data-guide]"), {
      start: (name) => this.open(name, 1),
      go: (i) => this.go(i),
      play: () => this.play(),
      answer: (i) => this.answers.set(this.step, i),
      explore: () => this.explore(),
      restore: () => this.go(this.step),
    });
    app.lesson = this;
    document.addEventListener("keydown", (e) => this.key(e));
  }

  get active() {
    return this.outline !== null;
  }

  // list reads the lessons on offer, once.
  async list() {
    if (this.index) return this.index;
    try {
      const r = await fetch(new URL("lessons/index.json", document.baseURI));
      this.index = r.ok ? await r.json() : [];
    } catch {
      this.index = [];
    }
    this.panel.offer(this.index);
    return this.index;
  }

  // fromAddress opens the lesson the address names (?lesson=NAME&step=N),
  // if any, and says whether it did.
  async fromAddress() {
    const q = new URLSearchParams(location.search);
    const name = q.get("lesson");
    if (name === null) {
      this.list(); // for the picker, while the page starts
      return false;
    }
    const step = Number(q.get("step") || 1);
    return this.open(name, Number.isInteger(step) ? step : 1);
  }

  // open loads a lesson and shows step n (1-based).
  async open(name, n) {
    const index = await this.list();
    const i = index.findIndex((l) => l.name === name);
    if (i < 0) {
      this.app.notify(`There is no lesson "${name.slice(0, 40)}". The lessons: ${index.map((l) => l.name).join(", ")}.`);
      return false;
    }
    this.app.player.pause();
    this.panel.loading(index[i].title);
    let outline;
    try {
      const r = await fetch(new URL(`lessons/${name}.json`, document.baseURI));
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      outline = await this.app.api.lesson(await r.text());
    } catch (err) {
      outline = { error: `could not load it (${err.message})` };
    }
    if (outline.error) {
      this.panel.close();
      this.app.notify(`The lesson "${index[i].title}" cannot be shown: ${outline.error}`);
      return false;
    }
    this.outline = outline;
    this.number = i + 1;
    this.answers.clear();
    const steps = outline.steps.length;
    if (n < 1 || n > steps) {
      this.app.notify(`This lesson has steps 1 to ${steps}: here is step 1.`);
      n = 1;
    }
    await this.go(n - 1);
    return true;
  }

  // go shows step i at its start: the lesson's run cut after the step's
  // actions, replayed to the instant it starts.
  async go(i) {
    const o = this.outline;
    if (!o || i < 0 || i >= o.steps.length) return;
    const player = this.app.player;
    player.pause();
    player.stopAt = Infinity;
    this.step = i;
    const s = o.steps[i];
    const run = o.runs[s.run];
    const def = { ...run, actions: run.actions.slice(0, s.actions) };
    const r = await player.restart(() => this.app.api.replay(def, s.start));
    if (r.error) return this.app.notify(r.error);
    this.run = this.app.model.run;
    this.app.controls.setup(run.config.peers, run.seed);
    player.stopAt = s.end;
    player.stopped = () => this.ended();
    this.state = s.end > s.start ? "start" : "done";
    this.panel.settled();
    this.highlight(s);
    this.address();
    this.render();
  }

  // play plays the step to its end (at once, with reduced motion), or
  // from its start again once it has ended.
  async play() {
    const s = this.outline.steps[this.step];
    const player = this.app.player;
    if (player.playing) return player.pause();
    if (this.state === "done") {
      await this.go(this.step);
      if (s.end === s.start) return;
    }
    this.state = "playing";
    this.render();
    if (STILL.matches) {
      const r = await player.skip(s.end - Math.floor(player.display));
      if (!r.error) this.ended();
      return;
    }
    player.play();
  }

  // playback: the player started or stopped (the toolbar's Play plays
  // the step too).
  playback() {
    if (!this.active) return;
    if (this.app.player.playing && this.state === "start") this.state = "playing";
    this.render();
  }

  // ended: the step has played to its end.
  ended() {
    if (!this.active || this.app.model.run !== this.run) return;
    this.state = "done";
    this.render();
  }

  render() {
    const o = this.outline;
    this.panel.show({
      lesson: { number: this.number, of: this.index.length, title: o.title, name: o.name, summary: o.summary },
      step: o.steps[this.step],
      i: this.step,
      steps: o.steps.length,
      state: this.state,
      playing: this.app.player.playing,
      answer: this.answers.get(this.step),
      next: this.index[this.number] || null,
      still: STILL.matches,
    });
  }

  // touched: the student acted on the run (a crash, a request, a drop...):
  // it has left the lesson's path. Offer the way back, or to go on freely.
  touched() {
    if (!this.active) return;
    this.app.player.stopAt = Infinity;
    this.panel.touched(this.step + 1);
  }

  // moved: the student moved time (Step, Back, +100 ms). Within the step
  // it is still the lesson's run; outside, it has left the step.
  moved() {
    if (!this.active) return;
    const s = this.outline.steps[this.step];
    const t = this.app.model.time;
    if (t < s.start || t > s.end) this.touched();
    else {
      this.run = this.app.model.run; // Back replays into a new run, the same definition
      if (t === s.end) this.ended();
    }
  }

  // explore leaves the lesson with the run exactly where it is; the
  // address becomes a share link to this instant.
  async explore() {
    if (!this.active) return;
    const step = this.step + 1;
    const def = await this.app.api.definition();
    const url = new URL(location.href);
    url.searchParams.delete("lesson");
    url.searchParams.delete("step");
    url.hash = def.error ? "" : await encodeRun(def, this.app.model.time);
    history.replaceState(null, "", url);
    this.stop();
    this.app.notify(`You left the lesson at step ${step}. The run is yours: play on, act on it, go Back; Copy link shares it.`);
  }

  // stop stops guiding: the run stays as it is.
  stop() {
    if (!this.active) return;
    this.outline = null;
    const player = this.app.player;
    player.stopAt = Infinity;
    player.stopped = null;
    this.highlight(null);
    this.panel.close();
  }

  // share copies a link to this step of this lesson.
  async share() {
    this.address();
    try {
      await navigator.clipboard.writeText(location.href);
      this.app.notify(`Link copied: it opens step ${this.step + 1} of this lesson.`);
    } catch {
      this.app.notify(`The address bar now links to step ${this.step + 1} of this lesson: copy it from there.`);
    }
  }

  // address puts the lesson and step in the address, keeping the rest
  // (an embed's view, for one).
  address() {
    const url = new URL(location.href);
    for (const k of ["peers", "seed", "scenario", "prevote", "checkquorum"]) url.searchParams.delete(k);
    url.searchParams.set("lesson", this.outline.name);
    url.searchParams.set("step", String(this.step + 1));
    url.hash = "";
    history.replaceState(null, "", url);
  }

  // highlight lights up what the step's caption names: servers, messages
  // (by kind) and log entries (by index).
  highlight(s) {
    const host = this.app.host;
    const kinds = s ? s.messages.map((m) => KINDS[m]).filter(Boolean) : [];
    setData(host, "lessonOn", s ? this.outline.name : ""); // the clients' hint, for one, changes
    setData(host, "lessonServers", s ? s.servers.join(" ") : "");
    setData(host, "lessonMsgs", kinds.join(" "));
    this.app.logs.mark(s ? s.entries : []);
  }

  // key: ← and → go back and on, wherever the focus is but where those
  // keys already mean something (a field, a slider, a choice, the tabs).
  key(e) {
    if (!this.active || e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.shiftKey) return;
    if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
    const t = e.target;
    if (t.closest && t.closest("input, select, textarea, dialog, [role=tablist], [role=slider], [contenteditable]")) return;
    e.preventDefault();
    this.go(this.step + (e.key === "ArrowRight" ? 1 : -1));
  }
}

function setData(el, key, value) {
  if (value) el.dataset[key] = value;
  else delete el.dataset[key];
}
