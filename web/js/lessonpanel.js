// The lesson panel in the guide beside the ring: the picker, then, during
// a lesson, its step: the caption (with what it names marked), the
// question and, once the step has played, whether the student was right
// and why. Captions and results are live regions, read politely in order.

import { html, setProp, setText } from "./svg.js";

const NUMBER = new Intl.NumberFormat("en-US");

export class LessonPanel {
  constructor(guide, handlers) {
    this.guide = guide;
    this.on = handlers; // {start(name), go(i), play(), answer(i), explore(), restore()}
    this.key = ""; // the lesson and step on show
    const $ = (tag, attrs, parent, text) => html(tag, attrs, parent, text);

    const picker = $("form", { class: "lesson-picker", "data-lesson-picker": "" });
    $("label", { for: "lesson-pick" }, picker, "Lessons");
    this.select = $("select", { id: "lesson-pick", name: "lesson", "data-lesson-pick": "" }, picker);
    $("option", { value: "" }, this.select, "Choose a lesson…");
    $("button", { type: "submit", class: "button" }, picker, "Start");
    picker.addEventListener("submit", (e) => {
      e.preventDefault();
      if (this.select.value) this.on.start(this.select.value);
    });
    picker.hidden = true;
    this.picker = picker;

    const box = $("section", { class: "lesson", "data-lesson": "", "aria-labelledby": "lesson-title", hidden: "" });
    const head = $("header", { class: "lesson-head" }, box);
    const names = $("div", {}, head);
    this.kicker = $("p", { class: "lesson-kicker" }, names);
    this.title = $("h2", { id: "lesson-title", class: "lesson-title" }, names);
    $("button", { type: "button", class: "button button-quiet lesson-explore", "data-lesson-explore": "", title: "Leave the lesson, with the run as it is: play on, act on it, share it" }, head, "Explore from here").addEventListener("click", () => this.on.explore());
    // What the lesson is about, above its first step.
    this.summary = $("p", { class: "lesson-summary", "data-lesson-summary": "", hidden: "" }, box);
    this.steps = $("ol", { class: "lesson-steps", "aria-label": "Steps" }, box);
    this.steps.addEventListener("click", (e) => {
      const b = e.target.closest("button[data-step]");
      if (b) this.on.go(Number(b.dataset.step));
    });
    // What is read aloud when the step changes: its number, then its caption.
    const said = $("div", { class: "lesson-said", "aria-live": "polite", "data-lesson-said": "" }, box);
    this.count = $("p", { class: "lesson-count visually-hidden" }, said); // the step list shows it
    this.caption = $("p", { class: "lesson-caption", "data-lesson-caption": "" }, said);
    this.question = $("fieldset", { class: "lesson-question", "data-lesson-question": "", hidden: "" }, box);
    this.ask = $("legend", {}, this.question);
    this.options = $("div", { class: "lesson-options" }, this.question);
    this.options.addEventListener("change", (e) => this.on.answer(Number(e.target.value)));
    this.result = $("div", { class: "lesson-result", "aria-live": "polite", "data-lesson-result": "" }, box);
    this.touchedBox = $("div", { class: "lesson-touched", role: "status", "data-lesson-touched": "", hidden: "" }, box);
    this.touchedText = $("p", {}, this.touchedBox);
    const offer = $("div", { class: "lesson-offer" }, this.touchedBox);
    $("button", { type: "button", class: "button", "data-lesson-restore": "" }, offer, "Back to the step").addEventListener("click", () => this.on.restore());
    $("button", { type: "button", class: "button", "data-lesson-keep": "" }, offer, "Keep exploring").addEventListener("click", () => this.on.explore());
    const nav = $("div", { class: "lesson-nav" }, box);
    this.back = $("button", { type: "button", class: "button", "data-lesson-back": "", "aria-keyshortcuts": "ArrowLeft" }, nav, "← Back");
    this.playBtn = $("button", { type: "button", class: "button button-primary", "data-lesson-play": "" }, nav, "Play step");
    this.next = $("button", { type: "button", class: "button", "data-lesson-next": "", "aria-keyshortcuts": "ArrowRight" }, nav, "Next →");
    // At a lesson's end, where Next was: the next lesson.
    this.nextLesson = $("button", { type: "button", class: "button", "data-lesson-next-lesson": "", hidden: "" }, nav);
    this.nextLesson.addEventListener("click", () => this.on.start(this.nextLesson.dataset.lessonNextLesson));
    this.back.addEventListener("click", () => this.on.go(this.i - 1));
    this.next.addEventListener("click", () => this.on.go(this.i + 1));
    this.playBtn.addEventListener("click", () => this.on.play());
    this.until = $("p", { class: "lesson-until" }, box);
    this.box = box;
    guide.prepend(picker, box);
  }

  // offer fills the picker with the lessons on offer.
  offer(index) {
    for (const [i, l] of index.entries()) html("option", { value: l.name }, this.select, `${i + 1}. ${l.title}`);
    this.picker.hidden = index.length === 0;
  }

  loading(title) {
    this.guide.classList.add("in-lesson");
    this.box.hidden = false;
    this.key = "";
    setText(this.kicker, "Lesson");
    setText(this.title, title);
    setText(this.count, "Loading the lesson: the simulator plays it once to check it…");
    this.caption.replaceChildren();
    this.summary.hidden = true;
    this.question.hidden = true;
    this.touchedBox.hidden = true;
    setText(this.result, "");
  }

  close() {
    this.guide.classList.remove("in-lesson");
    this.box.hidden = true;
    this.key = "";
    this.select.value = "";
  }

  // touched offers the way back to step n, or to go on freely.
  touched(n) {
    setText(this.touchedText, `You changed the run, so it has left the lesson's path. Go back to step ${n}, or keep exploring from here (the lesson ends).`);
    this.touchedBox.hidden = false;
    // In view in a guide that scrolls, clear of the sticky buttons (the
    // guide's scroll padding); on a phone, where the page scrolls, left be.
    if (getComputedStyle(this.guide).overflowY !== "visible") this.touchedBox.scrollIntoView({ block: "nearest" });
  }

  // settled: the run is the lesson's again.
  settled() {
    this.touchedBox.hidden = true;
  }

  // show draws the step: {lesson, step, i, steps, state, playing, answer,
  // next, still}.
  show(v) {
    const { step, i } = v;
    this.i = i;
    // For tests and tools: which step, and whether it has played.
    this.box.dataset.step = String(i + 1);
    this.box.dataset.state = v.state;
    this.box.dataset.start = String(step.start);
    this.box.dataset.end = String(step.end);
    const key = `${v.lesson.name}|${i}`;
    if (key !== this.key) {
      this.key = key;
      this.select.value = v.lesson.name;
      this.touchedBox.hidden = true;
      setText(this.kicker, `Lesson ${v.lesson.number} of ${v.lesson.of}`);
      setText(this.title, v.lesson.title);
      setText(this.summary, v.lesson.summary || "");
      setProp(this.summary, "hidden", i !== 0 || !v.lesson.summary);
      setText(this.count, `Step ${i + 1} of ${v.steps}`);
      this.caption.replaceChildren(...step.parts.map(part));
      this.stepList(v.steps, i);
      this.questionFor(step, v.answer);
      setText(this.until, untilText(step));
    }
    const done = v.state === "done";
    // Once the step has played, its result takes the question's place.
    setProp(this.question, "hidden", !step.question || done);
    setProp(this.back, "disabled", i === 0);
    setProp(this.next, "disabled", i === v.steps - 1);
    const onward = i === v.steps - 1 && (done || step.end === step.start) && v.next;
    const focused = document.activeElement === this.next;
    setProp(this.next, "hidden", Boolean(onward));
    setProp(this.nextLesson, "hidden", !onward);
    if (onward) {
      this.nextLesson.dataset.lessonNextLesson = v.next.name;
      setText(this.nextLesson, "Next lesson →");
      this.nextLesson.title = `Lesson ${v.lesson.number + 1}: ${v.next.title}`;
      this.nextLesson.setAttribute("aria-label", `Next lesson: ${v.next.title}`);
      if (focused) this.nextLesson.focus(); // the button it replaces had the keyboard
    }
    const plays = step.end > step.start;
    setProp(this.playBtn, "hidden", !plays);
    setProp(this.until, "hidden", done || !this.until.textContent);
    const label = v.playing ? "Pause" : v.state === "playing" ? "Resume" : done ? "Play again" : v.still ? "Show what happens" : "Play step";
    setText(this.playBtn, label);
    this.resultFor(v, done);
  }

  stepList(n, current) {
    if (this.steps.childElementCount !== n) {
      this.steps.replaceChildren();
      for (let k = 0; k < n; k++) {
        const li = html("li", {}, this.steps);
        html("button", { type: "button", "data-step": k, "aria-label": `Step ${k + 1}` }, li, String(k + 1));
      }
    }
    for (const [k, b] of [...this.steps.querySelectorAll("button")].entries()) {
      if (k === current) b.setAttribute("aria-current", "step");
      else b.removeAttribute("aria-current");
      b.classList.toggle("seen", k < current);
    }
  }

  questionFor(step, answer) {
    const q = step.question;
    this.question.hidden = !q;
    this.options.replaceChildren();
    if (!q) return;
    setText(this.ask, q.ask);
    for (const [k, text] of q.options.entries()) {
      const label = html("label", { class: "lesson-option" }, this.options);
      const input = html("input", { type: "radio", name: "lesson-answer", value: k, "data-option": k }, label);
      if (answer === k) input.checked = true;
      label.append(` ${text}`);
    }
  }

  resultFor(v, done) {
    const { step } = v;
    const parts = [];
    if (done && step.end > step.start) {
      const q = step.question;
      if (q) {
        const right = q.options[q.answer];
        const verdict = v.answer === undefined ? `The answer: ${right}.` : v.answer === q.answer ? `Right: ${right}.` : `Not quite: you chose ${q.options[v.answer]}; the run says ${right}.`;
        parts.push(["lesson-verdict", verdict]);
        const when = `${q.happened.by ? "by" : "at"} ${NUMBER.format(q.happened.time)} ms`;
        parts.push(["", `What happened, ${when}: ${words(q.happened.text)}. ${q.why}`]);
        this.result.dataset.verdict = v.answer === undefined ? "shown" : v.answer === q.answer ? "right" : "wrong";
      } else {
        delete this.result.dataset.verdict;
        parts.push(["", step.reached ? `Done, at ${NUMBER.format(step.reached.time)} ms: ${words(step.reached.text)}.` : `Played to ${NUMBER.format(step.end)} ms.`]);
      }
    } else delete this.result.dataset.verdict;
    const last = v.i === v.steps - 1 && (done || step.end === step.start);
    const key = parts.map((p) => p[1]).join("|") + (last ? "|last" : "");
    if (this.result.dataset.key === key) return;
    this.result.dataset.key = key;
    this.result.replaceChildren();
    for (const [cls, text] of parts) html("p", { class: cls }, this.result, text);
    if (last) {
      const end = html("p", { class: "lesson-end" }, this.result, "End of the lesson.");
      if (v.next) end.append(` Next: ${v.next.title}.`);
    }
  }
}

// untilText says how far the step plays; with a question, nothing:
// "until s3 installs the leader's snapshot" would give the answer away.
function untilText(step) {
  if (step.end === step.start) return "Nothing to play here: read, then go on.";
  if (step.question) return "";
  return step.until ? `Plays until ${step.until}.` : `Plays ${NUMBER.format(step.end - step.start)} ms.`;
}

// part draws a piece of a caption: plain text, or a name of something on
// screen, marked as the page marks it.
function part(p) {
  if (p.server) return html("span", { class: "lesson-name lesson-server", "data-server": p.server }, null, p.text);
  if (p.msg) return html("span", { class: "lesson-name lesson-msg", "data-msg": p.msg }, null, p.text);
  if (p.entries) return html("span", { class: "lesson-name lesson-entry", "data-entries": p.entries.join(" ") }, null, p.text);
  return document.createTextNode(p.text);
}

// words tidies the simulator's description of an event for the panel:
// "→" for "->", as the page writes it, and no message numbers.
function words(text) {
  return text.replaceAll(" -> ", " → ").replace(/ \(#\d+\)/g, "");
}
