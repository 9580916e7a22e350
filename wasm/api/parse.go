package api

import (
	"strconv"

	"github.com/raftplay/raftplay/raft/sim/jsonio"
)

// Parse reads JSON text into plain values (jsonio.Parse), refusing more
// than MaxInput bytes. It is the one door for structured input: arguments
// cross from JavaScript as JSON.stringify's text, share links and imported
// traces arrive as text.
func Parse(text []byte) (any, error) {
	if len(text) > MaxInput {
		return nil, tooLarge("the JSON text is " + strconv.Itoa(len(text)) + " bytes; the limit is " + strconv.Itoa(MaxInput))
	}
	return jsonio.Parse(text)
}
