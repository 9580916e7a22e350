// Opening a run from a file: one chosen with the File menu or dropped on
// the page. The file is a definition (the run's setup, seed and actions)
// or a trace document (a definition and its events, as Save → Run (JSON)
// writes it); raft/sim/TRACE.md says what each holds, and the simulator
// alone decodes the definition (replay). The page stops where
// `raftsim -replay FILE` stops, so both show the same trace: a trace
// document at its last event, a definition five seconds after its last
// action.

const AFTER_LAST_ACTION = 5000; // as cmd/raftsim/replay.go

// readRun reads file and says what to replay and to when:
// {def, until, what}. It throws an Error that says what is wrong.
export async function readRun(file, limits) {
  if (file.size > limits.input) throw new Error(`${file.name} is ${file.size.toLocaleString("en-US")} bytes: a run file holds at most ${limits.input.toLocaleString("en-US")}`);
  let doc;
  try {
    doc = JSON.parse(await file.text());
  } catch (err) {
    throw new Error(`${file.name} is not JSON (${err.message})`);
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new Error(`${file.name} holds no run: a definition or a trace document is a JSON object`);
  if (doc.definition && typeof doc.definition === "object") {
    const events = Array.isArray(doc.events) ? doc.events : [];
    const last = events.length ? Number(events[events.length - 1].time) : NaN;
    return { def: doc.definition, until: Number.isFinite(last) && last >= 0 ? last : afterActions(doc.definition), what: "trace" };
  }
  return { def: doc, until: afterActions(doc), what: "definition" };
}

function afterActions(def) {
  const actions = Array.isArray(def.actions) ? def.actions : [];
  const at = actions.length ? Number(actions[actions.length - 1].at) : 0;
  return AFTER_LAST_ACTION + (Number.isFinite(at) && at > 0 ? at : 0);
}

// bindDrop calls open(file) for a file dropped anywhere on root, which
// shows where it can be dropped while one is dragged over it.
export function bindDrop(root, open) {
  const files = (e) => e.dataTransfer && [...e.dataTransfer.types].includes("Files");
  let depth = 0;
  root.addEventListener("dragenter", (e) => {
    if (!files(e)) return;
    depth++;
    root.classList.add("dropping");
  });
  root.addEventListener("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (!depth) root.classList.remove("dropping");
  });
  root.addEventListener("dragover", (e) => {
    if (!files(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
  });
  root.addEventListener("drop", (e) => {
    if (!files(e)) return;
    e.preventDefault();
    depth = 0;
    root.classList.remove("dropping");
    const file = e.dataTransfer.files[0];
    if (file) open(file);
  });
}
