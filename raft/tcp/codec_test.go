package tcp

import (
	"errors"
	"reflect"
	"testing"

	"github.com/raftplay/raftplay/raft"
)

// fill sets every field of the value v points to (recursively, through
// slices and pointers) to a non-zero value derived from seed, so that a
// field the codec forgets shows up as a difference.
func fill(v reflect.Value, seed *uint64) {
	*seed++
	switch v.Kind() {
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uint:
		v.SetUint(*seed * 0x9e37 % (1 << (v.Type().Bits() - 1)))
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(int64(*seed))
	case reflect.String:
		v.SetString("s")
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes([]byte{byte(*seed), 1, 2})
			return
		}
		s := reflect.MakeSlice(v.Type(), 3, 3)
		for i := range 3 {
			fill(s.Index(i), seed)
		}
		v.Set(s)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), seed)
		v.Set(p)
	case reflect.Struct:
		for i := range v.NumField() {
			fill(v.Field(i), seed)
		}
	default:
		panic("fill: a field of kind " + v.Kind().String() + ": teach the codec and this test about it")
	}
}

func roundTrip(t *testing.T, m raft.Message) {
	t.Helper()
	b := AppendMessage(nil, &m)
	got, err := DecodeMessage(b)
	if err != nil {
		t.Fatalf("decoding %+v: %v", m, err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Fatalf("sent     %+v\nreceived %+v", m, got)
	}
}

// Every field of raft.Message, each set alone and all together, arrives
// as it was sent. A field added to raft.Message fails here until the
// codec carries it.
func TestEveryFieldRoundTrips(t *testing.T) {
	var all raft.Message
	seed := uint64(0)
	fill(reflect.ValueOf(&all).Elem(), &seed)
	roundTrip(t, all)
	typ := reflect.TypeOf(all)
	for i := range typ.NumField() {
		var one raft.Message
		reflect.ValueOf(&one).Elem().Field(i).Set(reflect.ValueOf(all).Field(i))
		t.Run(typ.Field(i).Name, func(t *testing.T) { roundTrip(t, one) })
	}
	roundTrip(t, raft.Message{}) // nothing at all
	// Entries whose indexes and terms jump around, and the largest values.
	roundTrip(t, raft.Message{Type: raft.MsgApp, Entries: []raft.Entry{
		{Index: 1<<64 - 1, Term: 1<<64 - 1, Client: 1<<64 - 1}, {Index: 1, Term: 0}, {Index: 7, Term: 3, Data: []byte("x")},
	}})
}

// The messages that go by all the time are small.
func TestMessagesAreCompact(t *testing.T) {
	hb := raft.Message{Type: raft.MsgApp, From: 1, To: 2, Term: 7, PrevLogIndex: 123456, PrevLogTerm: 7, LeaderCommit: 123456, Round: 9876}
	if n := len(AppendMessage(nil, &hb)); n > 16 {
		t.Errorf("a heartbeat takes %d bytes", n)
	}
	app := hb
	for i := range uint64(10) {
		app.Entries = append(app.Entries, raft.Entry{Index: 123457 + i, Term: 7, Client: 42, Seq: 1000 + i, Lowest: 1000, Data: []byte("lock alice")})
	}
	// Per entry, beyond its data: the index and term as differences, its
	// type, client, sequence numbers and data length.
	if n := len(AppendMessage(nil, &app)); n > 20+10*(10+10) {
		t.Errorf("10 entries of 10 bytes take %d bytes", n)
	}
}

func TestDecodeRefusesMalformed(t *testing.T) {
	good := AppendMessage(nil, &raft.Message{Type: raft.MsgApp, From: 1, To: 2, Term: 3,
		Entries: []raft.Entry{{Index: 4, Term: 3, Data: []byte("lock a")}}})
	for name, b := range map[string][]byte{
		"empty":            {},
		"only a version":   {Version},
		"another version":  append([]byte{Version + 1}, good[1:]...),
		"cut short":        good[:len(good)-2],
		"trailing bytes":   append(append([]byte{}, good...), 0),
		"unknown field":    {Version, 3, 0x80, 0x80, 0x08},
		"entries but none": {Version, 3, 0x80, 0x80, 0x02, 0},
		// A count of a billion entries in a few bytes: refused before
		// anything that size is allocated.
		"huge count": {Version, 3, 0x80, 0x80, 0x02, 0x80, 0x94, 0xeb, 0xdc, 0x03},
	} {
		if _, err := DecodeMessage(b); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
	if _, err := DecodeMessage(append([]byte{Version + 1}, good[1:]...)); err == nil || errors.Is(err, ErrMalformed) {
		t.Errorf("another version: %v; want an error that names the versions", err)
	}
}

// FuzzDecodeMessage: any bytes decode to a message that encodes and
// decodes to itself, or give an error; never a panic.
func FuzzDecodeMessage(f *testing.F) {
	var all raft.Message
	seed := uint64(0)
	fill(reflect.ValueOf(&all).Elem(), &seed)
	f.Add(AppendMessage(nil, &all))
	f.Add(AppendMessage(nil, &raft.Message{Type: raft.MsgApp, From: 1, To: 2, Term: 3, LeaderCommit: 9}))
	f.Add([]byte{Version, 3, 0x80, 0x80, 0x02, 0x80, 0x94, 0xeb, 0xdc, 0x03})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeMessage(b)
		if err != nil {
			return
		}
		again, err := DecodeMessage(AppendMessage(nil, &m))
		if err != nil || !reflect.DeepEqual(again, m) {
			t.Fatalf("%+v encodes to %+v (%v)", m, again, err)
		}
	})
}
