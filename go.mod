module github.com/raftplay/raftplay

go 1.26

require (
	github.com/andybalholm/brotli v1.2.8 // indirect
	github.com/anishathalye/porcupine v1.3.1 // indirect
	github.com/syumai/workers v0.33.0 // indirect
)
