package raft_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
)

type writeFunc func(p *raft.Peer[lock.State], ctx context.Context, i int) ([]byte, error)

// cutOffWrites runs the experiment of issue 9, item 6: 200 writes, each
// cut off by its context before its answer, at s1, s2 or s3 in turn; every
// other one is then committed and applied before the caller retries. Each
// is retried at the next peer with retry, until it answers (with strict,
// the answer must be ok). It returns how many cut-off writes were applied
// anyway before their retry, and how many times each peer's state machine
// ran each command.
func cutOffWrites(t *testing.T, first, retry writeFunc, strict bool) (int, map[raft.ID]map[string]int) {
	c := newLockCluster(t, 3, false)
	c.configure()
	cut, cancel := context.WithCancel(context.Background())
	cancel()
	appliedAnyway := 0
	for i := range 200 {
		at := raft.ID(1 + i%3)
		if _, err := first(c.peers[at], cut, i); !errors.Is(err, context.Canceled) {
			t.Fatalf("write %d at %v with its context cut off: %v, want context.Canceled", i, at, err)
		}
		if i%2 == 0 {
			c.net.pump(t) // it commits and is applied: the caller does not know
			if st, _ := c.peers[1].State(); st.Holder == fmt.Sprint("w", i) {
				appliedAnyway++
			}
		}
		ctx := ctx(t)
		reply, err := c.call(ctx, func() ([]byte, error) { return retry(c.peers[1+at%3], ctx, i) })
		if err != nil {
			t.Fatalf("retry of write %d: %v", i, err)
		}
		if strict && reply != "ok" { // each write locks and the next unlocks: every one succeeds once
			t.Fatalf("retry of write %d answered %q, want ok (the reply of the one time it was applied)", i, reply)
		}
	}
	c.until("every peer applies every write", func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		for id := range c.peers {
			n := 0
			for _, a := range c.applied[id] {
				if a.Entry.Type == raft.EntryCommand && !a.Skipped {
					n++
				}
			}
			if n < 200 {
				return false
			}
		}
		return true
	})
	runs := map[raft.ID]map[string]int{}
	c.mu.Lock()
	defer c.mu.Unlock()
	for id := range c.peers {
		runs[id] = map[string]int{}
		for _, a := range c.applied[id] {
			if a.Entry.Type == raft.EntryCommand && !a.Skipped {
				runs[id][string(a.Entry.Data)]++
			}
		}
	}
	return appliedAnyway, runs
}

// cmdOf is write i of the experiment: w0 locks, w1 (another client name,
// the same lock) unlocks w0's lock... each write succeeds exactly when it
// is applied once, in order: lock w0, unlock w0, lock w2, unlock w2, ...
func cmdOf(i int) []byte {
	if i%2 == 0 {
		return lock.Lock(fmt.Sprint("w", i))
	}
	return lock.Unlock(fmt.Sprint("w", i-1))
}

// Issue 9, item 6: of 200 writes cut off by their context, many are applied
// anyway, and a retry through Write applied the command twice, though the
// README promised at most once. With WriteRequest and a Session, every
// retried write is applied exactly once, whichever peer takes the retry.
func TestRetriedWritesAreAppliedExactlyOnce(t *testing.T) {
	s, err := raft.NewSession(7)
	if err != nil {
		t.Fatal(err)
	}
	reqs := make([]raft.Request, 200)
	first := func(p *raft.Peer[lock.State], ctx context.Context, i int) ([]byte, error) {
		reqs[i] = s.Next(cmdOf(i))
		return p.WriteRequest(ctx, reqs[i])
	}
	retry := func(p *raft.Peer[lock.State], ctx context.Context, i int) ([]byte, error) {
		r, err := p.WriteRequest(ctx, reqs[i]) // the same request
		if err == nil {
			s.Done(reqs[i])
		}
		return r, err
	}
	anyway, runs := cutOffWrites(t, first, retry, true)
	t.Logf("%d of 200 cut-off writes were applied before their retry", anyway)
	if anyway != 100 {
		t.Errorf("%d cut-off writes applied before the retry, want the 100 the experiment commits", anyway)
	}
	for id, byCmd := range runs {
		for i := range 200 {
			if n := byCmd[string(cmdOf(i))]; n != 1 {
				t.Errorf("%v ran write %d (%s) %d times, want exactly once", id, i, cmdOf(i), n)
			}
		}
	}
}

// The same experiment retrying with Write, which sends a new write each
// time: the state machine runs some commands twice. This is what Write's
// documentation warns of, and why WriteRequest exists.
func TestRetryingWithWriteMayApplyTwice(t *testing.T) {
	write := func(p *raft.Peer[lock.State], ctx context.Context, i int) ([]byte, error) {
		return p.Write(ctx, cmdOf(i))
	}
	_, runs := cutOffWrites(t, write, write, false)
	twice := 0
	for i := range 200 {
		if runs[1][string(cmdOf(i))] > 1 {
			twice++
		}
	}
	if twice == 0 {
		t.Fatal("no command ran twice: the experiment would not catch a duplicate")
	}
	t.Logf("%d of 200 commands ran twice at s1", twice)
}

// A Session numbers its writes 1, 2, 3... and says, in each, the lowest one
// whose reply it has not heard: what the peers may forget.
func TestSessionNumbersWritesAndTracksTheLowestUnanswered(t *testing.T) {
	for _, id := range []uint64{0, 1 << 63} {
		if _, err := raft.NewSession(id); !errors.Is(err, raft.ErrSessionID) {
			t.Errorf("NewSession(%d) = %v, want ErrSessionID", id, err)
		}
	}
	s, err := raft.NewSession(5)
	if err != nil {
		t.Fatal(err)
	}
	r1, r2, r3 := s.Next(nil), s.Next(nil), s.Next(nil)
	if r1.Client != 5 || r1.Seq != 1 || r2.Seq != 2 || r3.Seq != 3 || r3.Lowest != 1 {
		t.Fatalf("requests %+v %+v %+v, want client 5, sequence 1 2 3, lowest 1", r1, r2, r3)
	}
	s.Done(r2)
	if r := s.Next(nil); r.Seq != 4 || r.Lowest != 1 {
		t.Fatalf("after Done(2): %+v, want sequence 4, lowest still 1", r)
	}
	s.Done(r1)
	if r := s.Next(nil); r.Seq != 5 || r.Lowest != 3 {
		t.Fatalf("after Done(1): %+v, want sequence 5, lowest 3", r)
	}
}
