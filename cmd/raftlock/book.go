package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/raftplay/raftplay/raft"
)

// The address book: the Raft address of every server, and which were
// removed. The raft core knows servers by id only; the addresses travel
// through the log as commands of the state machine, so every server, one
// restarted, and one restored from a snapshot knows them. The first
// configuration's addresses are recorded by its first leader, from its
// -peers ("initial": they fill in what a server's own -peers lacks, as for
// a server that joined later); a server added at runtime has its address
// recorded by its addition, which overrides -peers.
//
// The book says what the membership should be; the leader makes the Raft
// configuration follow it, one server at a time (manager.go). A removed
// server stays in the book, marked removed, so that it is not added back
// and its -peers address is forgotten.
type book struct {
	// Version counts the book's changes: a server keeps the newest book
	// it has seen (see bookFile), applied or read from its file.
	Version uint64                `json:"version"`
	Servers map[raft.ID]bookEntry `json:"servers"`
}

type bookEntry struct {
	Addr    string `json:"addr,omitempty"`
	Removed bool   `json:"removed,omitempty"`
	Initial bool   `json:"initial,omitempty"` // from the first leader's -peers
}

// addCommand, removeCommand and initialCommand are the book's commands,
// as they appear in the log after the write's id.
func addCommand(id raft.ID, addr string) string { return fmt.Sprintf("add %d %s", uint64(id), addr) }
func removeCommand(id raft.ID) string           { return fmt.Sprintf("remove %d", uint64(id)) }
func initialCommand(id raft.ID, addr string) string {
	return fmt.Sprintf("initial %d %s", uint64(id), addr)
}

// apply applies cmd if it is a book command, to a copy: states are shared
// with readers. ok is false for any other command (a lock's). An initial
// address is recorded only for a server the book does not know: one added
// or removed since says more.
func (b *book) apply(cmd []byte) (*book, bool) {
	f := strings.Fields(string(cmd))
	if len(f) < 2 || !((f[0] == "add" || f[0] == "initial") && len(f) == 3 || f[0] == "remove" && len(f) == 2) {
		return b, false
	}
	n, err := strconv.ParseUint(f[1], 10, 64)
	if err != nil || n == 0 {
		return b, false
	}
	if _, known := b.entry(raft.ID(n)); known && f[0] == "initial" {
		return b, true
	}
	out := &book{Servers: map[raft.ID]bookEntry{}}
	if b != nil {
		out.Version, out.Servers = b.Version, maps.Clone(b.Servers)
	}
	out.Version++
	switch f[0] {
	case "add":
		out.Servers[raft.ID(n)] = bookEntry{Addr: f[2]}
	case "initial":
		out.Servers[raft.ID(n)] = bookEntry{Addr: f[2], Initial: true}
	default:
		out.Servers[raft.ID(n)] = bookEntry{Removed: true}
	}
	return out, true
}

func (b *book) version() uint64 {
	if b == nil {
		return 0
	}
	return b.Version
}

func (b *book) entry(id raft.ID) (bookEntry, bool) {
	if b == nil {
		return bookEntry{}, false
	}
	e, ok := b.Servers[id]
	return e, ok
}

// ids returns the book's servers in id order.
func (b *book) ids() []raft.ID {
	if b == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(b.Servers))
}

// pending returns the first change the Raft configuration st has yet to
// follow: a server added to the book but not to the configuration, or
// removed from the book but still in it.
func (b *book) pending(st raft.Status) (id raft.ID, add, ok bool) {
	for _, id := range b.ids() {
		e := b.Servers[id]
		if in := inConfig(st, id); e.Removed == in {
			return id, !e.Removed, true
		}
	}
	return 0, false, false
}

func inConfig(st raft.Status, id raft.ID) bool {
	return slices.Contains(st.Members, id) || slices.Contains(st.Learners, id)
}

// unrecorded returns the members of st that the book has no address for,
// in id order.
func (b *book) unrecorded(st raft.Status) []raft.ID {
	var out []raft.ID
	for _, id := range slices.Concat(st.Members, st.Learners) {
		if _, ok := b.entry(id); !ok {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// peerAddrs returns the addresses the transport should know: -peers,
// overridden by the book's additions and filled in by its initial
// addresses. A removed server is left out once the
// configuration without it is committed; until then the leader still
// sends it the log, so that it learns it is out.
func peerAddrs(flags map[raft.ID]string, b *book, st raft.Status) map[raft.ID]string {
	out := maps.Clone(flags)
	for _, id := range b.ids() {
		e := b.Servers[id]
		switch {
		case e.Initial:
			if _, given := out[id]; !given {
				out[id] = e.Addr
			}
		case !e.Removed:
			out[id] = e.Addr
		case !inConfig(st, id) && st.Commit >= st.ConfigIndex && id != st.ID:
			delete(out, id)
		}
	}
	return out
}

// validAddr checks a server's Raft address.
func validAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if host == "" || strings.ContainsAny(addr, " \t\n") {
		return fmt.Errorf("%q: want host:port", addr)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("%q: bad port", addr)
	}
	return nil
}

// bookFile is the copy of the newest book a server has applied, in its
// data directory. A server that restarts learns the book from its log
// only once it hears from the leader, which it may have to dial: the
// lower id dials (raft/tcp), so with the file a server reaches at once a
// leader added, with a higher id, since its last snapshot, rather than
// after the leader's fallback dial (tcp.Config.FallbackAfter).
const bookFile = "addresses.json"

func readBook(dir string) (*book, error) {
	b, err := os.ReadFile(filepath.Join(dir, bookFile))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var bk book
	if err := json.Unmarshal(b, &bk); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(dir, bookFile), err)
	}
	return &bk, nil
}

// writeBook replaces the file atomically: write, fsync, rename, fsync the
// directory. A crash leaves the old book or the new one (the storage
// removes a leftover .tmp when it opens).
func writeBook(dir string, bk *book) error {
	data, err := json.Marshal(bk)
	if err != nil {
		return err
	}
	name := filepath.Join(dir, bookFile)
	f, err := os.Create(name + ".tmp")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(name+".tmp", name)
	}
	if err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
