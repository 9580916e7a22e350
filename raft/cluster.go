package raft

import (
	"slices"
	"strconv"
)

// Cluster identity. Every cluster's log starts with the same entry: its
// configuration at index 1. Two clusters configured on one network (say
// SetConfiguration([s1 s2 s3]) on s1 and SetConfiguration([s3 s4 s5]) on
// s5) would both write it at index 1 in term 1, so Log Matching could not
// tell their logs apart: s3 could vote in both, take entries from both,
// and apply one cluster's writes while it reports the other's members. So
// a cluster has an identity, made when it is bootstrapped from the members
// it starts with, kept in its first entry and in every snapshot, and
// carried on every message. A peer refuses messages of another cluster;
// a peer that belongs to none yet joins the first cluster whose entries it
// stores (the first that brings it in).
//
// The identity is a hash of the first configuration's members, so every
// way of bootstrapping a cluster with those members (SetConfiguration on
// any of them, Bootstrap of their storages) makes the same cluster, whose
// first entries agree; and it needs no randomness, so simulated runs stay
// reproducible.

// ClusterOf returns the identity of a cluster bootstrapped with these
// members: never 0, which means "no cluster".
func ClusterOf(members []ID) uint64 {
	h := uint64(0x6a09e667f3bcc908)
	for _, id := range sortedIDs(members) {
		h = mix64(h ^ uint64(id))
	}
	if h == 0 {
		h = 1
	}
	return h
}

// mix64 is the finalizer of SplitMix64: every input bit moves every
// output bit.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// ClusterString renders a cluster identity as 16 hex digits ("none" for 0).
func ClusterString(c uint64) string {
	if c == 0 {
		return "none"
	}
	s := strconv.FormatUint(c, 16)
	for len(s) < 16 {
		s = "0" + s
	}
	return s
}

// refreshCluster reads the node's cluster from its durable state: the
// first configuration entry, or the snapshot that replaced it.
func (n *Node) refreshCluster() {
	switch {
	case n.log.offset == 0 && n.log.lastIndex() >= 1 && n.log.at(1).Type == EntryConfig:
		if ms, err := DecodeMembers(n.log.at(1).Data); err == nil {
			n.cluster = ClusterOf(ms)
			return
		}
		n.cluster = 0
	case n.snap.Cluster != 0:
		n.cluster = n.snap.Cluster
	case n.snap.Index != 0:
		// A snapshot from a storage that does not keep the identity: the
		// members it holds are the first ones (such storages predate
		// membership changes).
		n.cluster = ClusterOf(n.snap.Members)
	default:
		n.cluster = 0
	}
}

// checkCluster refuses a message from another cluster. A message of no
// cluster (from a peer that belongs to none yet) is taken, and so is any
// message at a peer of none.
func (n *Node) checkCluster(m *Message) error {
	if m.Cluster == 0 || n.cluster == 0 || m.Cluster == n.cluster {
		return nil
	}
	return errorOf("raft: ", n.id, " belongs to cluster ", ClusterString(n.cluster), " and refuses ", m.Type, " from ", m.From,
		", which belongs to cluster ", ClusterString(m.Cluster), ": two clusters were configured on one network, with different members")
}

// sortedIDs returns a sorted copy of ids.
func sortedIDs(ids []ID) []ID {
	s := slices.Clone(ids)
	slices.Sort(s)
	return s
}
