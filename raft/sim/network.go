package sim

import (
	"math/rand/v2"
	"slices"

	"github.com/raftplay/raftplay/raft"
)

// network decides the fate of every message: when it arrives, whether it is
// lost or duplicated, and whether its link is cut.
type network struct {
	link  Link
	group []int               // per peer (index id-1): partition group; all 0 when whole
	cut   map[[2]raft.ID]bool // directed links cut by hand
	rand  *rand.Rand
}

func newNetwork(peers int, link Link, r *rand.Rand) *network {
	return &network{link: link, group: make([]int, peers), cut: make(map[[2]raft.ID]bool), rand: r}
}

// connected reports whether messages from one peer reach another now.
func (n *network) connected(from, to raft.ID) bool {
	return n.group[from-1] == n.group[to-1] && !n.cut[[2]raft.ID{from, to}]
}

// fate draws a message's journey: its one-way delay, whether it is lost, and
// whether the network delivers a second copy (with its own delay).
func (n *network) fate() (delay int64, lost bool, dupDelay int64) {
	l := &n.link
	delay = n.latency()
	if l.Reorder > 0 && n.rand.Float64() < l.Reorder {
		delay += n.rand.Int64N(2*l.LatencyMaxMs + 1)
	}
	lost = l.Loss > 0 && n.rand.Float64() < l.Loss
	if l.Duplicate > 0 && n.rand.Float64() < l.Duplicate {
		dupDelay = n.latency()
	}
	return delay, lost, dupDelay
}

func (n *network) latency() int64 {
	l := &n.link
	return l.LatencyMinMs + n.rand.Int64N(l.LatencyMaxMs-l.LatencyMinMs+1)
}

// partition splits the peers into groups; peers in no group form one more.
func (n *network) partition(groups [][]raft.ID) {
	for i := range n.group {
		n.group[i] = len(groups) + 1
	}
	for g, ids := range groups {
		for _, id := range ids {
			n.group[id-1] = g + 1
		}
	}
}

func (n *network) heal() {
	clear(n.group)
	clear(n.cut)
}

// groups returns the current partition, sorted, or nil when whole.
func (n *network) groups() [][]raft.ID {
	byGroup := map[int][]raft.ID{}
	keys := []int{}
	for i, g := range n.group {
		if _, ok := byGroup[g]; !ok {
			keys = append(keys, g)
		}
		byGroup[g] = append(byGroup[g], raft.ID(i+1))
	}
	if len(keys) == 1 {
		return nil
	}
	slices.Sort(keys)
	out := make([][]raft.ID, 0, len(keys))
	for _, k := range keys {
		out = append(out, byGroup[k])
	}
	return out
}

// cutLinks returns the links cut by hand, sorted.
func (n *network) cutLinks() [][2]raft.ID {
	out := make([][2]raft.ID, 0, len(n.cut))
	for l := range n.cut {
		out = append(out, l)
	}
	slices.SortFunc(out, func(a, b [2]raft.ID) int {
		if a[0] != b[0] {
			return int(a[0]) - int(b[0])
		}
		return int(a[1]) - int(b[1])
	})
	return out
}
