// Playback: the wall clock paces virtual time. While playing, each animation
// frame moves the shown time forward by the frame's length times the speed
// and, when an event is due, makes one API call that advances the run and
// brings back the new events (and, at most every SNAPSHOT_MS, a snapshot:
// with 9 peers it is the most expensive part of a frame). Between events
// nothing is asked of the simulator: messages and timers are interpolated.
// Paused, no frame is scheduled at all.

export const SPEEDS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];
export const DEFAULT_SPEED = 2; // 0.05x: a 20 ms message takes 0.4 s to cross

const MAX_FRAME_MS = 100; // after a stall (a hidden tab), do not leap ahead
const SNAPSHOT_MS = 30; // wall time between snapshots while playing

export class Player {
  constructor(api, model, { take, frame, state, settled }) {
    this.api = api;
    this.model = model;
    this.take = take; // (answer) => void: fold an API answer into the page
    this.draw = frame; // (t) => void: draw the instant t
    this.state = state; // () => void: playing or speed changed
    this.settled = settled; // (answer) => void: a call answered, even with an error
    this.playing = false;
    this.speedIndex = DEFAULT_SPEED;
    this.display = 0; // the virtual ms on screen, fractional
    this.last = 0;
    this.raf = 0;
    this.busy = false;
    this.stale = false; // events wait in the simulator (an action while playing)
    this.snapshotAt = 0; // wall time of the last snapshot taken while playing
    this.snapshotDue = false; // events came in since that snapshot
    this.chain = Promise.resolve();
    // Playing stops at stopAt (virtual ms) and then calls stopped: a
    // lesson's step ends there.
    this.stopAt = Infinity;
    this.stopped = null;
    this.tick = this.tick.bind(this);
  }

  get speed() {
    return SPEEDS[this.speedIndex];
  }

  setSpeed(i) {
    this.speedIndex = Math.max(0, Math.min(SPEEDS.length - 1, i));
    this.state();
  }

  play() {
    // A run that stopped for good has nothing more to show.
    if (this.playing || this.model.status.halted) return;
    if (this.display >= this.stopAt) {
      if (this.stopped) this.stopped();
      return;
    }
    this.playing = true;
    this.last = performance.now();
    this.raf = requestAnimationFrame(this.tick);
    this.state();
  }

  pause() {
    if (!this.playing) return;
    this.playing = false;
    cancelAnimationFrame(this.raf);
    this.raf = 0;
    this.state();
  }

  toggle() {
    if (this.playing) this.pause();
    else this.play();
  }

  tick(now) {
    if (!this.playing) return;
    this.raf = requestAnimationFrame(this.tick);
    // A frame's timestamp is when the frame began, which can be before play().
    const dt = Math.max(0, Math.min(now - this.last, MAX_FRAME_MS));
    this.last = now;
    if (this.busy) return; // the last frame's call is still out: hold time still
    this.display = Math.min(this.display + dt * this.speed, this.stopAt);
    const end = this.display >= this.stopAt;
    const target = Math.floor(this.display);
    const next = this.model.status.next;
    const due = target > this.model.time && next >= 0 && next <= target;
    const snapshot = end || ((this.snapshotDue || due) && now - this.snapshotAt >= SNAPSHOT_MS);
    if (due || this.stale || end || (this.snapshotDue && snapshot)) {
      this.busy = true;
      this.stale = false;
      if (snapshot) this.snapshotAt = now;
      const ms = Math.max(0, target - this.model.time);
      // Playing stops at a run's marked moments (a scenario's stages) and
      // where a checker found a property broken.
      const violations = this.model.status.violations || 0;
      this.call(() => this.api.advance(ms, { ...this.want(snapshot), untilMark: true, untilViolation: true })).then((answer) => {
        if (!answer.error && answer.events) this.snapshotDue = !snapshot && (this.snapshotDue || answer.events.events.length > 0);
        this.busy = false;
        if (stoppedAtMark(answer) || (!answer.error && answer.violations > violations)) {
          this.display = answer.time;
          this.pause();
          // The stage is drawn as it is: with a snapshot of that instant.
          if (!snapshot) this.call(() => this.api.advance(0, this.want())).then(() => this.draw(this.display));
        }
        this.draw(this.display);
        if (end && this.playing) {
          this.pause();
          if (this.stopped) this.stopped();
        }
      });
      return;
    }
    this.draw(this.display);
  }

  // want asks for the events since the last one seen, with their words
  // (the event log shows them), and a snapshot.
  want(snapshot = true) {
    return { after: this.model.cursor, snapshot, text: true };
  }

  // call runs one API call after every earlier one, folds its answer in
  // and hands it back. Every call goes through here, so the model sees the
  // answers in the order the simulator gave them.
  call(fn) {
    const p = this.chain.then(fn).then((answer) => {
      if (answer && !answer.error) this.take(answer);
      this.settled(answer);
      return answer;
    });
    this.chain = p.catch(() => {});
    return p;
  }

  // step runs to the next thing that happens and shows that instant.
  async step() {
    this.pause();
    const answer = await this.call(() => this.api.step(this.want()));
    if (!answer.error) this.show(answer.time);
    return answer;
  }

  // skip runs ms of virtual time at once. The target is taken when the
  // call's turn comes, so quick presses add up.
  async skip(ms) {
    let target = 0;
    const answer = await this.call(() => {
      target = Math.floor(this.display) + ms;
      this.display = target;
      return this.api.advance(Math.max(0, target - this.model.time), this.want());
    });
    if (!answer.error) this.show(target);
    return answer;
  }

  // act applies a user action at the instant on screen: the run first
  // catches up with the shown time, so the action lands where the student
  // saw it; then the events it caused are fetched.
  async act(fn) {
    const answer = await this.call(async () => {
      const behind = Math.floor(this.display) - this.model.time;
      if (behind > 0) {
        const caught = await this.api.advance(behind);
        if (caught.error) return caught;
      }
      return fn();
    });
    if (answer.error) return answer;
    // Playing, the next frame fetches what the action caused.
    if (this.playing) this.stale = true;
    else {
      await this.call(() => this.api.advance(0, this.want()));
      this.draw(this.display);
    }
    return answer;
  }

  // restart shows a new run from its beginning.
  async restart(fn) {
    const answer = await this.call(fn);
    if (answer.error) return answer;
    await this.call(() => this.api.advance(0, this.want()));
    this.show(this.model.time);
    return answer;
  }

  show(t) {
    this.display = t;
    if (!this.playing) this.draw(t);
  }
}

// stoppedAtMark says whether an advance stopped at a mark: the last event
// of the run is a mark, at the time the run reached.
function stoppedAtMark(answer) {
  const batch = !answer.error && answer.events;
  const last = batch && batch.events.length ? batch.events[batch.events.length - 1] : null;
  return Boolean(last) && last.kind === "mark" && last.seq === batch.last && last.time === answer.time;
}
