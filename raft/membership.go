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

// Configuration is a cluster's servers: the voters, whose majority elects
// leaders and commits entries, and the learners, servers being added that
// receive the log but do not count in any majority until they have caught
// up (dissertation section 4.2.1). Both lists are sorted and disjoint.
type Configuration struct {
	Voters   []ID
	Learners []ID
}

// validate checks a configuration read from the log or built by a change.
func (c *Configuration) validate() error {
	if err := validateMembers(c.Voters); err != nil {
		return err
	}
	if len(c.Voters)+len(c.Learners) > MaxPeers {
		return errorOf("raft: ", len(c.Voters)+len(c.Learners), " servers is more than the limit of ", MaxPeers)
	}
	for i, id := range c.Learners {
		if id == None {
			return errors.New("raft: peer id 0 is reserved (it means \"nobody\")")
		}
		if i > 0 && c.Learners[i-1] >= id {
			return errors.New("raft: learners are not sorted, or one appears twice")
		}
		if _, voter := slices.BinarySearch(c.Voters, id); voter {
			return errorOf("raft: ", id, " is both a voter and a learner")
		}
	}
	return nil
}

// has reports whether id is a voter or a learner of c.
func (c *Configuration) has(id ID) bool {
	_, v := slices.BinarySearch(c.Voters, id)
	_, l := slices.BinarySearch(c.Learners, id)
	return v || l
}

// encode turns a configuration into the data of an EntryConfig: the sorted
// voters, then, if there are any, the sorted learners. A configuration
// without learners encodes as a plain member list did before learners
// existed.
func (c *Configuration) encode() []byte {
	b := appendIDList(nil, sortedIDs(c.Voters))
	if len(c.Learners) > 0 {
		b = appendIDList(b, sortedIDs(c.Learners))
	}
	return b
}

func appendIDList(b []byte, ids []ID) []byte {
	b = binary.AppendUvarint(b, uint64(len(ids)))
	for _, id := range ids {
		b = binary.AppendUvarint(b, uint64(id))
	}
	return b
}

// encodeMembers turns a member list into the data of an EntryConfig, sorted
// so that every peer reads the same list in the same order.
func encodeMembers(members []ID) []byte {
	return (&Configuration{Voters: members}).encode()
}

// readIDList reads one list written by appendIDList and returns the rest.
func readIDList(data []byte) ([]ID, []byte, error) {
	n, k := binary.Uvarint(data)
	if k <= 0 || n > MaxPeers {
		return nil, nil, errors.New("raft: malformed configuration entry")
	}
	data = data[k:]
	ids := make([]ID, 0, n)
	for i := uint64(0); i < n; i++ {
		v, k := binary.Uvarint(data)
		if k <= 0 {
			return nil, nil, errors.New("raft: malformed configuration entry")
		}
		data = data[k:]
		ids = append(ids, ID(v))
	}
	return ids, data, nil
}

// DecodeConfiguration reads the configuration from the data of an
// EntryConfig.
func DecodeConfiguration(data []byte) (Configuration, error) {
	voters, rest, err := readIDList(data)
	if err != nil {
		return Configuration{}, err
	}
	c := Configuration{Voters: voters}
	if len(rest) > 0 {
		if c.Learners, rest, err = readIDList(rest); err != nil {
			return Configuration{}, err
		}
		if len(c.Learners) == 0 {
			return Configuration{}, errors.New("raft: configuration entry lists no learners where it should list some")
		}
	}
	if len(rest) != 0 {
		return Configuration{}, errors.New("raft: trailing bytes in configuration entry")
	}
	if err := c.validate(); err != nil {
		return Configuration{}, err
	}
	if !slices.IsSorted(c.Voters) {
		return Configuration{}, errors.New("raft: configuration entry is not sorted")
	}
	return c, nil
}

// DecodeMembers reads the voters from the data of an EntryConfig (see
// DecodeConfiguration for the learners too).
func DecodeMembers(data []byte) ([]ID, error) {
	c, err := DecodeConfiguration(data)
	return c.Voters, err
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
