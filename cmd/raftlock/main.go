// Command raftlock is the talk's lock as a service: three (or five)
// servers, each a Raft peer with its log on disk, talking over TCP, and a
// client that takes and releases the lock through any of them.
//
//	raftlock serve -id 1 -peers 1=127.0.0.1:7001,2=127.0.0.1:7002,3=127.0.0.1:7003 \
//	               -http 127.0.0.1:8001 -data DIR
//	raftlock lock   -client NAME -server http://127.0.0.1:8001[,http://...]
//	raftlock unlock -client NAME -server URL[,URL...]
//	raftlock read   -server URL[,URL...]
//	raftlock add    -id N -addr host:port -server URL[,URL...]
//	raftlock remove -id N -server URL[,URL...]
//
// A server started on an empty -data directory makes it a member of the
// cluster of every server in -peers (raft.Bootstrap); later it starts from
// what the directory holds. The client prints the lock's reply, ok or
// error (for read, the lock's state), and retries a request that got no
// answer at the next server, with the same identity: a write is applied
// once.
//
// A cluster grows and shrinks at runtime: start the new server with -join
// (it waits, with an empty directory, to be added), then `raftlock add`
// its id and Raft address at any member; `raftlock remove` takes a server
// out, the leader included. Addresses travel through the log, so every
// server learns them. See the README, "The lock as a service".
package main

import (
	"fmt"
	"io"
	"os"
)

const usage = `usage:
  raftlock serve -id N -peers 1=host:port,2=host:port,... -http host:port -data DIR
  raftlock lock   -client NAME -server URL[,URL...]
  raftlock unlock -client NAME -server URL[,URL...]
  raftlock read   -server URL[,URL...]
  raftlock serve -id N -join -peers N=host:port -http host:port -data DIR
  raftlock add    -id N -addr host:port -server URL[,URL...]
  raftlock remove -id N -server URL[,URL...]
"raftlock COMMAND -h" lists a command's flags.
`

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return runServe(args[1:], stderr)
	case "lock", "unlock", "read", "add", "remove":
		return runClient(args[0], args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "raftlock: unknown command %q\n%s", args[0], usage)
	return 2
}
