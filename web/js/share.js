// Share links: a run's definition (configuration, seed and every action,
// TRACE.md) and an instant, compressed into the address's fragment, with
// the panels around the run as the student had them (PANELS). Opening the
// link replays the definition to that instant: the same run, exactly. The
// fragment never reaches a server, and whatever it holds is checked here
// for size and shape before the simulator (or the panel) checks it again.

const PREFIX = "run=";
const MAX_LINK = 64 * 1024; // characters of fragment

// The panels a link restores, by their names in the fragment: the client's
// name and the server it sends to, the partition's sides being built (A or
// B per server), the event log's filters (the kinds shown, the server),
// and the tab open in the dock.
const PANELS = { client: 32, to: 2, sides: 9, show: 80, by: 2, tab: 16 };

// encodeRun returns the fragment for definition def at virtual time t,
// with the panels' state ({client, to, sides, show, by, tab}).
export async function encodeRun(def, t, panels = {}) {
  const json = new TextEncoder().encode(JSON.stringify(def));
  const packed = await pipe(json, new CompressionStream("deflate-raw"));
  const q = new URLSearchParams();
  for (const k of Object.keys(PANELS)) if (panels[k] !== undefined && panels[k] !== "") q.set(k, String(panels[k]));
  const rest = q.toString();
  return `${PREFIX}${base64url(packed)}&t=${Math.floor(t)}${rest ? `&${rest}` : ""}`;
}

// decodeRun reads a fragment made by encodeRun; null if it holds no run.
// It throws, with a message for the student, if the run is damaged.
// limits are the simulator's (raftplay.limits): the latest instant a
// replay reaches.
export async function decodeRun(fragment, limits) {
  const q = new URLSearchParams(fragment.replace(/^#/, ""));
  const packed = q.get(PREFIX.slice(0, -1));
  if (packed === null) return null;
  if (fragment.length > MAX_LINK || !/^[A-Za-z0-9_-]+$/.test(packed)) throw new Error("This link's run is damaged or too long.");
  const t = Number(q.get("t") || 0);
  if (!Number.isInteger(t) || t < 0 || t > limits.replayMs) throw new Error("This link's time is not a time in the run.");
  let def;
  try {
    const json = await pipe(unbase64url(packed), new DecompressionStream("deflate-raw"), limits.input);
    def = JSON.parse(new TextDecoder().decode(json));
  } catch {
    throw new Error("This link's run is damaged.");
  }
  if (!def || typeof def !== "object" || def.version !== 1) throw new Error("This link's run was made by another version of the playground.");
  // The panels' values, each short; each panel checks its own.
  const panels = {};
  for (const [k, most] of Object.entries(PANELS)) {
    const v = q.get(k);
    if (v !== null && v.length <= most) panels[k] = v;
  }
  return { def, t, panels };
}

// pipe runs bytes through a (de)compression stream, refusing more than max.
async function pipe(bytes, stream, max = Infinity) {
  const out = [];
  let size = 0;
  const reader = new Blob([bytes]).stream().pipeThrough(stream).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new Error("too large");
    }
    out.push(value);
  }
  return new Uint8Array(await new Blob(out).arrayBuffer());
}

function base64url(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function unbase64url(text) {
  const s = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}
