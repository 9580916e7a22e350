package disk

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// FS is the file system a Storage works through: the operating system's
// (OS), or a test's that can crash at any write or flush. Names are paths
// as the os package takes them.
type FS interface {
	OpenFile(name string, flag int, perm fs.FileMode) (File, error)
	// ReadDir returns the names in a directory, sorted.
	ReadDir(dir string) ([]string, error)
	Rename(from, to string) error
	Remove(name string) error
	MkdirAll(dir string, perm fs.FileMode) error
	// SyncDir makes the directory's entries durable: files created,
	// renamed or removed in it.
	SyncDir(dir string) error
	// Lock takes an exclusive lock on a file, creating it if need be, and
	// fails at once if another holder has it (another process, or another
	// Storage in this one).
	Lock(name string) (unlock func() error, err error)
}

// File is an open file.
type File interface {
	io.Reader
	io.Writer
	// Sync makes the file's data durable (and its size, so a reader after
	// a crash finds what was appended).
	Sync() error
	Truncate(size int64) error
	Close() error
}

// OS is the operating system's file system.
var OS FS = osFS{}

type osFS struct{}

func (osFS) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

func (osFS) ReadDir(dir string) ([]string, error) {
	es, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(es))
	for i, e := range es {
		names[i] = e.Name()
	}
	slices.Sort(names)
	return names, nil
}

func (osFS) Rename(from, to string) error                { return os.Rename(from, to) }
func (osFS) Remove(name string) error                    { return os.Remove(name) }
func (osFS) MkdirAll(dir string, perm fs.FileMode) error { return os.MkdirAll(dir, perm) }

func (osFS) SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	return errors.Join(err, d.Close())
}

type osFile struct{ *os.File }

// Sync flushes the data and the size, not the times (fdatasync).
func (f osFile) Sync() error { return fdatasync(f.File) }

// readFile reads a whole file through fsys.
func readFile(fsys FS, name string) ([]byte, error) {
	f, err := fsys.OpenFile(name, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(f)
	return b, errors.Join(err, f.Close())
}

// writeAtomic replaces a file with data so that a crash leaves either the
// old file or the new one: write a temporary file, flush it, rename it over
// the old one, flush the directory.
func writeAtomic(fsys FS, name string, data []byte) error {
	tmp := name + ".tmp"
	f, err := fsys.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if err = errors.Join(err, f.Close()); err != nil {
		return err
	}
	if err := fsys.Rename(tmp, name); err != nil {
		return err
	}
	return fsys.SyncDir(filepath.Dir(name))
}
