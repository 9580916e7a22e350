package lesson

import (
	"strconv"
	"strings"

	"github.com/raftplay/raftplay/raft"
)

// A caption is plain text. The names in it of servers (s1, s2, ...), of
// messages (RequestVote, AppendEntries, heartbeat, ...) and of log entries
// ("entry 3", "entries 2 and 3", "entries 2-4", "index 5", "#5") are found
// here, so the page can highlight what the caption is about and the lesson
// can be checked against what is on screen.

// Part is a piece of a caption: plain text, or a name of something on
// screen (one of Server, Msg, Entries is set).
type Part struct {
	Text    string
	Server  raft.ID
	Msg     string   // a type of MsgTypes
	Entries []uint64 // log indexes
}

// msgWords maps the words for messages to the types of MsgTypes.
var msgWords = map[string]string{
	"RequestVote": "RequestVote", "RequestVotes": "RequestVote",
	"AppendEntries":   "AppendEntries",
	"InstallSnapshot": "InstallSnapshot",
	"ReadIndex":       "ReadIndex",
	"heartbeat":       "heartbeat", "heartbeats": "heartbeat",
}

// entryWords introduce log indexes ("entry 3", "Entries 2 and 3").
var entryWords = map[string]bool{"entry": true, "entries": true, "index": true, "indexes": true}

// maxNamedEntries bounds the indexes one range in a caption may name.
const maxNamedEntries = 64

// Parse splits a caption into parts.
func Parse(caption string) []Part {
	var parts []Part
	text := 0 // start of the plain text not yet emitted
	flush := func(end int) {
		if end > text {
			parts = append(parts, Part{Text: caption[text:end]})
		}
	}
	for i := 0; i < len(caption); {
		if i > 0 && wordByte(caption[i-1]) || !wordByte(caption[i]) && caption[i] != '#' {
			i++
			continue
		}
		end, p := name(caption, i)
		if end == i {
			i++
			continue
		}
		flush(i)
		p.Text = caption[i:end]
		parts = append(parts, p)
		i, text = end, end
	}
	flush(len(caption))
	return parts
}

// name reads a name starting at i, at the start of a word: its end (i if
// there is none) and what it names.
func name(s string, i int) (int, Part) {
	w := i
	for w < len(s) && wordByte(s[w]) {
		w++
	}
	word := s[i:w]
	switch {
	case len(word) >= 2 && word[0] == 's' && allDigits(word[1:]):
		id, err := strconv.ParseUint(word[1:], 10, 16)
		if err == nil && id > 0 {
			return w, Part{Server: raft.ID(id)}
		}
	case msgWords[word] != "":
		return w, Part{Msg: msgWords[word]}
	case entryWords[strings.ToLower(word)]:
		if w < len(s) && s[w] == ' ' {
			if end, list := numbers(s, w+1); end > w+1 {
				return end, Part{Entries: list}
			}
		}
	case word == "" && s[i] == '#':
		if end, list := numbers(s, i+1); end > i+1 {
			return end, Part{Entries: list}
		}
	}
	return i, Part{}
}

// numbers reads "3", "2 and 3", "2, 3 and 4", "2-4" or "2–4" at i.
func numbers(s string, i int) (int, []uint64) {
	var list []uint64
	end := i
	for {
		j, n, ok := number(s, end)
		if !ok {
			break
		}
		end = j
		list = append(list, n)
		rest := s[end:]
		var sep string
		for _, x := range []string{"-", "–", " to ", ", ", " and "} {
			if strings.HasPrefix(rest, x) {
				sep = x
				break
			}
		}
		if sep == "" {
			break
		}
		k, m, ok := number(s, end+len(sep))
		if !ok {
			break
		}
		if sep == "-" || sep == "–" || sep == " to " {
			if m <= n || m-n > maxNamedEntries {
				break
			}
			for x := n + 1; x <= m; x++ {
				list = append(list, x)
			}
			end = k
			continue
		}
		end += len(sep) // the next number is read by the loop
	}
	if len(list) > 0 && end < len(s) && wordByte(s[end]) {
		return i, nil // "entry 3rd": not a name
	}
	return end, list
}

func number(s string, i int) (int, uint64, bool) {
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j == i || j-i > 9 {
		return i, 0, false
	}
	n, _ := strconv.ParseUint(s[i:j], 10, 64)
	return j, n, n > 0
}

func wordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
