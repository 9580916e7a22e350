module github.com/raftplay/raftplay

go 1.26
