package sim

import (
	"bytes"
	"testing"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
)

func TestSmoke(t *testing.T) {
	for _, gor := range []bool{false, true} {
		cfg := DefaultConfig()
		cfg.Goroutines = gor
		s, err := New(Definition{Config: cfg, Seed: 1}, Options{TraceLimit: -1, Check: true})
		if err != nil {
			t.Fatal(err)
		}
		s.RunFor(1000)
		if err := s.Do(Action{Kind: ActWrite, Peer: 2, Client: "alice", Op: lock.OpLock}); err != nil {
			t.Fatal(err)
		}
		s.RunFor(1000)
		t.Logf("%s", s.TraceJSON()[:2000])
		for _, o := range s.History() {
			t.Logf("%+v", o)
		}
		if v := s.Violations(); len(v) > 0 {
			t.Fatal(v)
		}
		s.Close()
		_ = raft.None
		_ = bytes.Equal
	}
}
