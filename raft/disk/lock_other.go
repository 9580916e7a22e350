//go:build !unix

package disk

import "errors"

func (osFS) Lock(string) (func() error, error) {
	return nil, errors.New("raft/disk: locking a directory is not supported on this system")
}
