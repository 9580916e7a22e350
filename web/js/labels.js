// Where each server's two lines of labels go in the ring ("term 2 · voted
// s7", "lock: alice"): clear of the other servers, of each other and of the
// drawing's edge. A ring with room gets every label under its server; a
// tight one (9 servers in a short box) moves some aside, above or into
// a corner.

import { TIMER_R } from "./svg.js";

// The room a server's drawing takes around its centre: its timer ring,
// and the leader's crown above it.
export const BODY = TIMER_R + 3;
const CROWN = 12;
// How far from its server's centre a label beside it starts: the timer
// ring's stroke ends at 30 px, and a label 3 px from it read as touching.
const SIDE = BODY + 6;

// The labels' sizes, largest first: the text's size in px, the distance
// between its two lines, the height they take and where the first line's
// baseline is, below their top. A ring too tight for the first takes the
// next.
export const SIZES = [
  { font: 11.5, line: 14, h: 28, rise: 11 },
  { font: 10.5, line: 13, h: 26, rise: 10 },
];

// serverBox is the box [x, y, w, h] a server's drawing takes, crown and all.
export const serverBox = ({ x, y }) => [x - BODY, y - BODY - CROWN, 2 * BODY, 2 * BODY + CROWN];

// The spots a label may take around its server, best first when there is
// room: under it (centred, or leaning right or left), at its corners,
// beside it, over it. Each is the label box's top-left corner, from the
// server's centre, for a label w x h. The text's anchor follows from the
// box: "middle" for a centred box, "start" for one that begins at the
// server or right of it, "end" for one that ends at it or left of it.
const SPOTS = [
  { cost: 0, at: (w) => [-w / 2, BODY] },
  { cost: 300, at: () => [-12, BODY] },
  { cost: 300, at: (w) => [12 - w, BODY] },
  { cost: 400, at: (w) => [-w / 4, BODY] },
  { cost: 400, at: (w) => [-3 * w / 4, BODY] },
  { cost: 600, at: () => [BODY - 8, BODY - 8] },
  { cost: 600, at: (w) => [8 - BODY - w, BODY - 8] },
  { cost: 900, at: (w, h) => [SIDE, -h / 2] },
  { cost: 900, at: (w, h) => [-SIDE - w, -h / 2] },
  { cost: 1000, at: (w, h) => [SIDE, -h - 2] },
  { cost: 1000, at: (w, h) => [-SIDE - w, -h - 2] },
  { cost: 1000, at: () => [SIDE, 2] },
  { cost: 1000, at: (w) => [-SIDE - w, 2] },
  { cost: 1200, at: (w, h) => [BODY - 8, -BODY - CROWN - h + 8] },
  { cost: 1200, at: (w, h) => [8 - BODY - w, -BODY - CROWN - h + 8] },
  { cost: 1400, at: (w, h) => [-w / 2, -BODY - CROWN - h] },
  { cost: 1500, at: (w, h) => [-12, -BODY - CROWN - h] },
  { cost: 1500, at: (w, h) => [12 - w, -BODY - CROWN - h] },
];

// placeLabels chooses a size of SIZES for the servers' labels and a spot
// for each; width(size) is how wide the labels are at that size. It looks
// for the cheapest choice in which no label covers another, another
// server, or the frame's edge (a search, quick for the few servers a ring
// has), at the largest size that has one; where none has, each label
// takes the spot that covers least, given the others, at the smallest.
// Each spot gives the text's anchor, its x, its first baseline and its
// box [x, y, w, h].
export function placeLabels(at, frame, width) {
  const bodies = at.map(serverBox);
  const edge = [frame.x, frame.y, frame.w, frame.h];
  let options = [];
  for (const size of SIZES) {
    const w = width(size);
    // Every server's spots, as boxes, with how much of the servers and of
    // the edge each covers (which does not depend on the other labels).
    options = at.map(({ x, y }, i) =>
      SPOTS.map((spot) => {
        const [dx, dy] = spot.at(w, size.h);
        const box = [x + dx, y + dy, w, size.h];
        let covers = w * size.h - overlap(box, edge);
        bodies.forEach((b, j) => {
          if (j !== i) covers += overlap(box, b);
        });
        // The servers' places come from sines and cosines: a label wholly
        // inside the frame can come out covering -4.5e-13 px² of it.
        return { box, cost: spot.cost, covers: covers < 1 ? 0 : covers };
      }),
    );
    const clear = clearChoice(options);
    if (clear) return { size, spots: spotsFor(at, clear, size) };
  }
  const size = SIZES[SIZES.length - 1];
  return { size, spots: spotsFor(at, leastCovering(options), size) };
}

// clearChoice is the cheapest choice of one option per server in which no
// box covers anything, or null when there is none. A search: each server's
// choice leaves the others only the options clear of it, the server with
// the fewest left goes next, and a branch stops once it cannot beat the
// best choice found, or when some server has no option left.
function clearChoice(options) {
  const start = options.map((opts) => opts.filter((o) => o.covers === 0)); // cheapest first
  let best = null;
  let bestCost = Infinity;
  let visits = 0;
  const search = (left, chosen, cost) => {
    if (++visits > 20000) return;
    let next = -1;
    let bound = cost;
    for (let i = 0; i < left.length; i++) {
      if (!left[i]) continue;
      if (left[i].length === 0) return;
      bound += left[i][0].cost;
      if (next < 0 || left[i].length < left[next].length) next = i;
    }
    if (bound >= bestCost) return;
    if (next < 0) {
      bestCost = cost;
      best = chosen.slice();
      return;
    }
    for (const o of left[next]) {
      const after = left.map((opts, i) => (i === next || !opts ? null : opts.filter((p) => overlap(p.box, o.box) === 0)));
      chosen[next] = o.box;
      search(after, chosen, cost + o.cost);
    }
  };
  search(start, [], 0);
  return best;
}

// leastCovering gives each server, in turn and then again with all the
// others in place, the option that covers least.
function leastCovering(options) {
  const chosen = [];
  for (let pass = 0; pass < 3; pass++) {
    options.forEach((opts, i) => {
      let best = null;
      let bestCost = Infinity;
      for (const o of opts) {
        let c = o.cost + 12 * o.covers;
        chosen.forEach((b, j) => {
          if (j !== i && b) c += 3 * overlap(o.box, b);
        });
        if (c < bestCost) {
          bestCost = c;
          best = o.box;
        }
      }
      chosen[i] = best;
    });
  }
  return chosen;
}

// spotsFor anchors each server's text in its box: a box that starts near
// the server or right of it starts there, one that ends near it or left of
// it ends there, and a box around it is centred on it.
function spotsFor(at, boxes, { rise }) {
  return boxes.map((box, i) => {
    const { x } = at[i];
    const y = box[1] + rise;
    if (box[0] >= x - 12.5) return { anchor: "start", x: box[0], y, box };
    if (box[0] + box[2] <= x + 12.5) return { anchor: "end", x: box[0] + box[2], y, box };
    return { anchor: "middle", x: box[0] + box[2] / 2, y, box };
  });
}

// overlap is the area two boxes share. Boxes that meet by less than a
// pixel's tenth share none: the servers' positions come from sines and
// cosines, and a label set just under its server must not be taken for
// one that covers the frame's edge by 1e-14 px.
export function overlap(a, b) {
  const w = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  if (w <= TOUCH) return 0;
  const h = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  return h > TOUCH ? w * h : 0;
}

const TOUCH = 0.1;
