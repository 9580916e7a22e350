package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/raftplay/raftplay/raft"
)

// The membership API:
//
//	POST /members/add     id=N addr=host:port   -> ok
//	POST /members/remove  id=N                  -> ok
//
// at any server. The change goes through the log as an address-book
// command (forwarded to the leader as a write is), so that every server
// learns the new server's address; the leader then changes the Raft
// configuration (manager.go). The answer comes once the change is
// committed: the new server a voter, or the removed one out. Sending the
// same change again is harmless: it waits for the one under way.
//
// 400: a bad id or address. 404: removing a server that is not a member.
// 409: another change is under way (one server at a time), or adding a
// server that is already a member. 421: this server belongs to no cluster
// yet (it waits to be added). 503: no answer in time (an addition waits
// for the new server to catch up: is it running, with -join?).
func (s *server) addServer(w http.ResponseWriter, r *http.Request) {
	id, err := formID(r)
	addr := r.FormValue("addr")
	if err == nil {
		err = validAddr(addr)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.change(w, r, id, addCommand(id, addr), func(st raft.Status, bk *book) (done bool, refused int, why string) {
		e, inBook := bk.entry(id)
		mine := inBook && !e.Removed && e.Addr == addr // this very addition, sent again
		switch {
		case mine && slices.Contains(st.Members, id) && st.Commit >= st.ConfigIndex:
			return true, 0, ""
		case !mine && inConfig(st, id) && !(inBook && e.Removed): // adding back one being removed is allowed
			return false, http.StatusConflict, fmt.Sprintf("%v is already a member of the cluster %v; remove it first to give it another address", id, config(st))
		case !mine:
			return false, busy(st, bk, id), busyReason(st, bk, id)
		}
		return false, 0, ""
	}, func(st raft.Status) bool { return slices.Contains(st.Members, id) && st.Commit >= st.ConfigIndex })
}

func (s *server) removeServer(w http.ResponseWriter, r *http.Request) {
	id, err := formID(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.change(w, r, id, removeCommand(id), func(st raft.Status, bk *book) (done bool, refused int, why string) {
		e, inBook := bk.entry(id)
		switch {
		case !inConfig(st, id) && !inBook:
			return false, http.StatusNotFound, fmt.Sprintf("%v is not a member of the cluster %v", id, config(st))
		case !inConfig(st, id) && e.Removed && st.Commit >= st.ConfigIndex:
			return true, 0, "" // removed already: this removal, sent again
		case inBook && e.Removed:
			return false, 0, "" // this very removal, under way
		case len(st.Members) == 1 && st.Members[0] == id:
			return false, http.StatusConflict, fmt.Sprintf("%v is the cluster's last voter; a cluster needs one", id)
		}
		return false, busy(st, bk, id), busyReason(st, bk, id)
	}, func(st raft.Status) bool { return !inConfig(st, id) && st.Commit >= st.ConfigIndex })
}

// change runs one membership change: check, in this server's view, that
// it can start (or is under way already), write the book command, and
// wait until done says the configuration has followed.
func (s *server) change(w http.ResponseWriter, r *http.Request, id raft.ID, cmd string,
	check func(raft.Status, *book) (done bool, refused int, why string), done func(raft.Status) bool) {
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.timeout)
	defer cancel()
	st, err := s.peer.Status()
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	if len(st.Members) == 0 {
		http.Error(w, notConfigured, http.StatusMisdirectedRequest)
		return
	}
	// Judge the change on a current view: a read through the leader first
	// makes this server apply every change committed before the request
	// (a restarted server's book may lag: it answered "already a member"
	// for a server whose removal it had not applied yet).
	if _, err := untilLeader(ctx, s.peer, func() ([]byte, error) { return s.peer.Read(ctx, nil) }); err != nil {
		http.Error(w, "no current view of the cluster: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	if st, err = s.peer.Status(); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	state, err := s.peer.State()
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	finished, refused, why := check(st, state.Book)
	if finished {
		fmt.Fprintln(w, "ok")
		return
	}
	if refused != 0 {
		http.Error(w, why, refused)
		return
	}
	if !s.changeWritten(state.Book, cmd) {
		if _, err := untilLeader(ctx, s.peer, func() ([]byte, error) { return s.peer.Write(ctx, []byte("- "+cmd)) }); err != nil {
			s.answer(w, nil, err)
			return
		}
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if st, err = s.peer.Status(); err == nil && done(st) {
			fmt.Fprintln(w, "ok")
			return
		}
		select {
		case <-ctx.Done():
			verb := "added (it joins as a learner and becomes a voter once it has caught up: is `raftlock serve -id " +
				strconv.FormatUint(uint64(id), 10) + " -join` running?)"
			if strings.HasPrefix(cmd, "remove") {
				verb = "removed"
			}
			http.Error(w, fmt.Sprintf("%v is still being %s; the change goes on: send it again to wait for it, or see GET /status", id, verb),
				http.StatusServiceUnavailable)
			return
		case <-tick.C:
		}
	}
}

// changeWritten reports whether the book already holds what cmd writes:
// the change, sent again, is under way and needs no second write.
func (s *server) changeWritten(bk *book, cmd string) bool {
	again, _ := bk.apply([]byte(cmd))
	for id, e := range again.Servers {
		if old, ok := bk.entry(id); !ok || old != e {
			return false
		}
	}
	return true
}

// busy returns 409 if a membership change other than one about id is
// under way, as this server sees it; busyReason says which. (A change
// asked for just as another ends may be taken: the leader makes them one
// after the other.)
func busy(st raft.Status, bk *book, id raft.ID) int {
	if busyReason(st, bk, id) != "" {
		return http.StatusConflict
	}
	return 0
}

func busyReason(st raft.Status, bk *book, id raft.ID) string {
	const one = "; one server at a time: try again once it is done (GET /status)"
	p, add, pending := bk.pending(st)
	switch learners := slices.DeleteFunc(slices.Clone(st.Learners), func(x raft.ID) bool { return x == id }); {
	case pending && p != id && add:
		return fmt.Sprintf("a membership change is under way: %v is being added%s", p, one)
	case pending && p != id:
		return fmt.Sprintf("a membership change is under way: %v is being removed%s", p, one)
	case len(learners) > 0:
		return fmt.Sprintf("a membership change is under way: %v is being added (it is catching up as a learner)%s", learners[0], one)
	}
	return ""
}

const notConfigured = "this server belongs to no cluster yet: it waits to be added (raftlock add -id N -addr host:port -server URL of a member)"

func formID(r *http.Request) (raft.ID, error) {
	v := r.FormValue("id")
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("id=%q: want a server id from 1", v)
	}
	return raft.ID(n), nil
}

// config renders a configuration as [s1 s2 s3], with its learners.
func config(st raft.Status) string {
	s := fmt.Sprint(st.Members)
	if len(st.Learners) > 0 {
		s += fmt.Sprintf(" + learners %v", st.Learners)
	}
	return s
}
