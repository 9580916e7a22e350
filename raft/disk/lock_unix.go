//go:build unix

package disk

import (
	"errors"
	"os"
	"syscall"
)

// Lock uses flock(2): the lock belongs to the open file, so a second open
// in the same process is refused too, and the kernel drops it when the
// process dies, however it dies.
func (osFS) Lock(name string) (func() error, error) {
	f, err := os.OpenFile(name, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrLocked
		}
		return nil, err
	}
	return f.Close, nil
}
