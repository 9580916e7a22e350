package raft

import (
	"encoding/binary"
	"errors"
	"slices"
)

// MaxPeers bounds the size of a cluster, so that a corrupt configuration
// cannot make a peer allocate without limit.
const MaxPeers = 1024

// validateMembers checks a member list given by a user or read from the log.
func validateMembers(members []ID) error {
	if len(members) == 0 {
		return errors.New("raft: a configuration needs at least one member")
	}
	if len(members) > MaxPeers {
		return errorOf("raft: ", len(members), " members is more than the limit of ", MaxPeers)
	}
	seen := make(map[ID]bool, len(members))
	for _, id := range members {
		if id == None {
			return errors.New("raft: peer id 0 is reserved (it means \"nobody\")")
		}
		if seen[id] {
			return errorOf("raft: ", id, " appears twice in the configuration")
		}
		seen[id] = true
	}
	return nil
}

// encodeMembers turns a member list into the data of an EntryConfig, sorted
// so that every peer reads the same list in the same order.
func encodeMembers(members []ID) []byte {
	sorted := slices.Clone(members)
	slices.Sort(sorted)
	b := binary.AppendUvarint(nil, uint64(len(sorted)))
	for _, id := range sorted {
		b = binary.AppendUvarint(b, uint64(id))
	}
	return b
}

// DecodeMembers reads the member list from the data of an EntryConfig.
func DecodeMembers(data []byte) ([]ID, error) {
	n, k := binary.Uvarint(data)
	if k <= 0 || n > MaxPeers {
		return nil, errors.New("raft: malformed configuration entry")
	}
	data = data[k:]
	members := make([]ID, 0, n)
	for i := uint64(0); i < n; i++ {
		v, k := binary.Uvarint(data)
		if k <= 0 {
			return nil, errors.New("raft: malformed configuration entry")
		}
		data = data[k:]
		members = append(members, ID(v))
	}
	if len(data) != 0 {
		return nil, errors.New("raft: trailing bytes in configuration entry")
	}
	if err := validateMembers(members); err != nil {
		return nil, err
	}
	if !slices.IsSorted(members) {
		return nil, errors.New("raft: configuration entry is not sorted")
	}
	return members, nil
}

// ConfigEntry returns the first log entry of a cluster with these members:
// index 1, term 1. Bootstrap writes it to every peer's storage;
// SetConfiguration appends it on one peer, which then replicates it.
func ConfigEntry(members []ID) (Entry, error) {
	if err := validateMembers(members); err != nil {
		return Entry{}, err
	}
	return Entry{Index: 1, Term: 1, Type: EntryConfig, Data: encodeMembers(members)}, nil
}
