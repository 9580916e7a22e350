package raft

import "slices"

// majority returns how many of n voters make a majority: more than half.
func majority(n int) int { return n/2 + 1 }

// quorumIndex returns the highest index stored by a majority of voters, given
// each voter's match index (section 5.3: "a log entry is committed once the
// leader that created the entry has replicated it on a majority"). It sorts
// matches in place.
func quorumIndex(matches []uint64) uint64 {
	if len(matches) == 0 {
		return 0
	}
	s := matches
	slices.Sort(s)
	// Sorted ascending, the entry majority-from-the-top is held by a majority.
	return s[len(s)-majority(len(s))]
}
