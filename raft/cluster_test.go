package raft

import (
	"slices"
	"strings"
	"testing"
)

// settleRefusing delivers everything in flight, and what it causes, until
// nothing is left; unlike stabilize it lets nodes refuse messages, and
// returns the refusals.
func (c *cluster) settleRefusing() []error {
	c.t.Helper()
	var refused []error
	for round := 0; len(c.queue) > 0; round++ {
		if round > 1000 {
			c.t.Fatal("messages still flowing after 1000 rounds")
		}
		batch := c.queue
		c.queue = nil
		for _, m := range batch {
			if n := c.nodes[m.To]; n != nil {
				if err := n.Step(m); err != nil {
					refused = append(refused, err)
				}
				c.flush(m.To)
			}
		}
	}
	return refused
}

// Issue 9, item 3: s1.SetConfiguration([s1 s2 s3]) and
// s5.SetConfiguration([s3 s4 s5]) on one network gave two leaders in term
// 2, and s3 applied s1's cluster's writes while it reported members
// [s3 s4 s5]: both first entries are (index 1, term 1), so Log Matching
// could not tell the two logs apart. Now each cluster has its identity,
// s3 joins the first that brings it in and refuses the other, and every
// peer applies only its own cluster's writes.
func TestTwoClustersOnOneNetworkStayApart(t *testing.T) {
	for _, first := range []ID{1, 5} { // whose messages reach s3 first
		t.Run("first="+first.String(), func(t *testing.T) { twoClusters(t, first) })
	}
}

func twoClusters(t *testing.T, first ID) {
	c := emptyCluster(t, 5)
	for _, id := range c.ids {
		c.restart(id) // all empty: no configuration
	}
	a, b := []ID{1, 2, 3}, []ID{3, 4, 5}
	members := map[ID][]ID{1: a, 5: b}
	for _, l := range []ID{first, 6 - first} {
		if err := c.node(l).SetConfiguration(members[l]); err != nil {
			t.Fatal(err)
		}
		c.flush(l)
	}
	refused := c.settleRefusing()
	for round := range 3 {
		for _, l := range []ID{1, 5} {
			if n := c.node(l); n.role == Leader {
				cmd := map[ID]string{1: "a", 5: "b"}[l] + string(rune('0'+round))
				if err := n.Propose(Entry{Data: []byte(cmd)}); err != nil {
					t.Fatal(err)
				}
				c.flush(l)
			}
		}
		refused = append(refused, c.settleRefusing()...)
		c.tick(1, c.cfgs[1].HeartbeatInterval)
		c.tick(5, c.cfgs[5].HeartbeatInterval)
		refused = append(refused, c.settleRefusing()...)
	}
	if c.node(1).role != Leader || c.node(5).role != Leader {
		t.Fatalf("s1 is %v and s5 is %v, want both leading their clusters", c.node(1).role, c.node(5).role)
	}
	// s3 belongs to exactly one of them; everyone applies exactly the
	// commands of its own cluster's leader, in its order.
	s3 := c.node(3).Status()
	if !slices.Equal(s3.Members, a) && !slices.Equal(s3.Members, b) {
		t.Fatalf("s3's members are %v", s3.Members)
	}
	for _, id := range c.ids {
		st := c.node(id).Status()
		own, leader := "a", ID(1)
		if slices.Equal(st.Members, b) {
			own, leader = "b", 5
		}
		if st.Cluster != ClusterOf(st.Members) {
			t.Errorf("%v: cluster %s, want %s, that of its members %v", id, ClusterString(st.Cluster), ClusterString(ClusterOf(st.Members)), st.Members)
		}
		var got, want []string
		for _, e := range c.applied[id] {
			if e.Type == EntryCommand {
				got = append(got, string(e.Data))
			}
		}
		for _, e := range c.applied[leader] {
			if e.Type == EntryCommand {
				want = append(want, string(e.Data))
			}
		}
		if !slices.Equal(got, want) || len(want) != 3 || !strings.HasPrefix(want[0], own) {
			t.Errorf("%v (members %v) applied %v, want its leader %v's %v", id, st.Members, got, leader, want)
		}
	}
	if len(refused) == 0 {
		t.Fatal("no message was refused: the clusters never met")
	}
	for _, err := range refused {
		if !strings.Contains(err.Error(), "two clusters were configured on one network") {
			t.Fatalf("refusal %q does not say why", err)
		}
	}
	t.Logf("%d messages refused, e.g. %v", len(refused), refused[0])
}

// Bootstrap and SetConfiguration with the same members make the same
// cluster (their first entries agree); other members make another.
func TestClusterIdentityComesFromTheFirstConfiguration(t *testing.T) {
	c := newCluster(t, 3)
	want := ClusterOf([]ID{3, 1, 2})
	for _, id := range c.ids {
		if got := c.node(id).Status().Cluster; got != want {
			t.Fatalf("%v bootstrapped: cluster %s, want %s", id, ClusterString(got), ClusterString(want))
		}
	}
	n := newNode(t, 9, HardState{}, nil)
	if n.Status().Cluster != 0 {
		t.Fatal("a peer never configured has a cluster")
	}
	if err := n.SetConfiguration([]ID{1, 2, 9}); err != nil {
		t.Fatal(err)
	}
	if got := n.Status().Cluster; got != ClusterOf([]ID{1, 2, 9}) || got == want {
		t.Fatalf("SetConfiguration([s1 s2 s9]): cluster %s", ClusterString(got))
	}
	// The identity outlives the first entry: a snapshot keeps it.
	c.elect(1)
	commitAll(c, 1, "x")
	s := c.compact(1, "state")
	if s.Cluster != want {
		t.Fatalf("snapshot's cluster %s, want %s", ClusterString(s.Cluster), ClusterString(want))
	}
	c.crash(1)
	c.restart(1)
	if got := c.node(1).Status().Cluster; got != want {
		t.Fatalf("restarted from its snapshot: cluster %s, want %s", ClusterString(got), ClusterString(want))
	}
}
