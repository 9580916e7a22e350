package lock

import (
	"bytes"
	"strings"
	"testing"
)

// The lock's semantics, exactly as in DESIGN.md and the talk.
func TestLockSemantics(t *testing.T) {
	unlocked := State{}
	byAlice := State{Locked: true, Holder: "alice"}
	for _, tc := range []struct {
		name  string
		cmd   []byte
		state State
		reply []byte
		next  State
	}{
		{"lock on an unlocked lock", Lock("alice"), unlocked, OK, byAlice},
		{"lock on a lock held by another", Lock("bob"), byAlice, Error, byAlice},
		{"lock by the holder itself", Lock("alice"), byAlice, Error, byAlice},
		{"unlock by the holder", Unlock("alice"), byAlice, OK, unlocked},
		{"unlock by another", Unlock("bob"), byAlice, Error, byAlice},
		{"unlock of an unlocked lock", Unlock("alice"), unlocked, Error, unlocked},
		{"garbage", []byte("steal alice"), byAlice, Error, byAlice},
		{"no client", []byte("lock "), unlocked, Error, unlocked},
	} {
		reply, next := Machine{}.Write(tc.cmd, tc.state)
		if !bytes.Equal(reply, tc.reply) || next != tc.next {
			t.Errorf("%s: Write(%q, %v) = %s, %v; want %s, %v", tc.name, tc.cmd, tc.state, reply, next, tc.reply, tc.next)
		}
	}
	if got := string(Machine{}.Read(nil, byAlice)); got != "locked by alice" {
		t.Errorf("Read = %q", got)
	}
	if got := string(Machine{}.Read([]byte("anything"), unlocked)); got != "unlocked" {
		t.Errorf("Read = %q", got)
	}
	if (Machine{}).Init() != unlocked {
		t.Error("the lock starts locked")
	}
}

func TestParse(t *testing.T) {
	good := map[string]Command{
		"lock alice":   {OpLock, "alice"},
		"unlock s-1_X": {OpUnlock, "s-1_X"},
		"lock " + strings.Repeat("a", MaxClientLen): {OpLock, strings.Repeat("a", MaxClientLen)},
	}
	for in, want := range good {
		if got, err := Parse([]byte(in)); err != nil || got != want {
			t.Errorf("Parse(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{
		"", "lock", "lock ", "unlock", "LOCK alice", "lock  alice", "lock alice ", "lock al ice",
		"lock " + strings.Repeat("a", MaxClientLen+1), "lock al<b>ice", "lock é", "release alice", " lock alice",
	} {
		if c, err := Parse([]byte(in)); err == nil {
			t.Errorf("Parse(%q) = %v, want an error", in, c)
		}
	}
}

// FuzzParse: any bytes at all either parse to a command that prints back to
// exactly those bytes, or are refused; the state machine refuses what does
// not parse with "error" and an unchanged state, never panics, and never
// changes the command it is given.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"lock alice", "unlock bob", "lock", "lock ", "lock  a", "LOCK a", "unlock a b",
		"lock " + strings.Repeat("z", MaxClientLen+1), "lock \xe9", "\xff\x00", "", "unlock s1",
	} {
		f.Add([]byte(s))
	}
	states := []State{{}, {Locked: true, Holder: "alice"}}
	f.Fuzz(func(t *testing.T, cmd []byte) {
		orig := bytes.Clone(cmd)
		c, err := Parse(cmd)
		for _, s := range states {
			reply, next := Machine{}.Write(cmd, s)
			if err != nil {
				if !bytes.Equal(reply, Error) || next != s {
					t.Fatalf("Write(%q, %v) of an unparsable command = %q, %v", cmd, s, reply, next)
				}
				continue
			}
			if wr, wn := Apply(c, s); !bytes.Equal(reply, wr) || next != wn {
				t.Fatalf("Write and Apply disagree on %q", cmd)
			}
			if !bytes.Equal(reply, OK) && !bytes.Equal(reply, Error) {
				t.Fatalf("reply %q", reply)
			}
			if next.Locked && ValidClient(next.Holder) != nil {
				t.Fatalf("held by an invalid client %q", next.Holder)
			}
		}
		if !bytes.Equal(cmd, orig) {
			t.Fatal("the state machine changed the command it was given")
		}
		if err != nil {
			return
		}
		if c.Op != OpLock && c.Op != OpUnlock {
			t.Fatalf("parsed op %v", c.Op)
		}
		if ValidClient(c.Client) != nil {
			t.Fatalf("parsed an invalid client %q", c.Client)
		}
		if !bytes.Equal(c.Bytes(), cmd) {
			t.Fatalf("Parse(%q) = %v, which prints as %q", cmd, c, c.Bytes())
		}
	})
}

// The lock's state survives a snapshot, and bad snapshot bytes are refused.
func TestLockStateSnapshotRoundTrip(t *testing.T) {
	m := Machine{}
	for _, s := range []State{{}, {Locked: true, Holder: "alice"}} {
		got, err := m.DecodeState(m.EncodeState(s))
		if err != nil || got != s {
			t.Errorf("%v -> %v, %v", s, got, err)
		}
	}
	if _, err := m.DecodeState([]byte("not a name!")); err == nil {
		t.Error("decoded a holder that is not a client name")
	}
}
