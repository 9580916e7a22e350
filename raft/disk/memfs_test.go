package disk

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// memFS is an FS in memory that knows what a crash would keep: each file's
// data as of its last Sync, and each directory's names as of its last
// SyncDir. It counts the operations that change something (create, write,
// flush, truncate, rename, remove) and can crash at any one of them.
type memFS struct {
	mu      sync.Mutex
	names   map[string]*inode // what the process sees
	durable map[string]*inode // what a crash keeps, as of SyncDir
	locks   map[string]bool
	ops     int // operations so far
	crashAt int // crash at this operation (0: never)
	crashed bool
	crashOp string // the operation the crash interrupted
	// lastWrite is the write the crash interrupted: a crash may keep part
	// of it.
	lastWrite struct {
		node *inode
		off  int
		data []byte
	}
	syncs int // file and directory flushes
}

type inode struct {
	data   []byte // what the process reads
	synced []byte // what survives a crash, as of the last Sync
}

var errCrash = errors.New("memfs: crashed")

func newMemFS() *memFS {
	return &memFS{names: map[string]*inode{}, durable: map[string]*inode{}, locks: map[string]bool{}}
}

// op counts an operation that changes something; it reports whether the
// file system has crashed (at this one, or before).
func (m *memFS) op(what string) bool {
	if m.crashed {
		return true
	}
	m.ops++
	if m.ops == m.crashAt {
		m.crashed, m.crashOp = true, what
	}
	return m.crashed
}

// crashMode says what a crash keeps of what was not flushed.
type crashMode int

const (
	// lost: nothing that was not flushed.
	lost crashMode = iota
	// kept: everything written, the interrupted write in part (torn).
	kept
	// namesLost: the files' data written, but not the directory changes
	// made since the last SyncDir.
	namesLost
)

func (c crashMode) String() string { return [...]string{"lost", "kept", "namesLost"}[c] }

// image returns the disk as a crash in this mode leaves it: a new memFS,
// all of it durable, with no locks held.
func (m *memFS) image(mode crashMode) *memFS {
	m.mu.Lock()
	defer m.mu.Unlock()
	names := m.names
	if mode != kept {
		names = m.durable
	}
	out := newMemFS()
	seen := map[*inode]*inode{}
	for name, n := range names {
		c := seen[n]
		if c == nil {
			data := n.synced
			if mode != lost {
				data = n.data
				if w := m.lastWrite; w.node == n && m.crashed {
					data = append(slices.Clone(data[:w.off]), w.data[:len(w.data)/2]...)
				}
			}
			c = &inode{data: slices.Clone(data)}
			c.synced = c.data
			seen[n] = c
		}
		out.names[name], out.durable[name] = c, c
	}
	return out
}

func (m *memFS) OpenFile(name string, flag int, _ fs.FileMode) (File, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.names[name]
	if flag&(os.O_CREATE|os.O_TRUNC) != 0 && (n == nil || flag&os.O_TRUNC != 0) {
		if m.op("create " + filepath.Base(name)) {
			return nil, errCrash
		}
	}
	switch {
	case n == nil && flag&os.O_CREATE == 0:
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	case n != nil && flag&os.O_EXCL != 0:
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrExist}
	case n == nil:
		n = &inode{}
		m.names[name] = n
	case flag&os.O_TRUNC != 0:
		n.data = nil
	}
	return &memFile{fs: m, name: filepath.Base(name), node: n, appendOnly: flag&os.O_APPEND != 0}, nil
}

func (m *memFS) ReadDir(dir string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for name := range m.names {
		if filepath.Dir(name) == dir {
			out = append(out, filepath.Base(name))
		}
	}
	slices.Sort(out)
	return out, nil
}

func (m *memFS) Rename(from, to string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.op("rename " + filepath.Base(from) + " to " + filepath.Base(to)) {
		return errCrash
	}
	n := m.names[from]
	if n == nil {
		return &fs.PathError{Op: "rename", Path: from, Err: fs.ErrNotExist}
	}
	m.names[to] = n
	delete(m.names, from)
	return nil
}

func (m *memFS) Remove(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.op("remove " + filepath.Base(name)) {
		return errCrash
	}
	if m.names[name] == nil {
		return &fs.PathError{Op: "remove", Path: name, Err: fs.ErrNotExist}
	}
	delete(m.names, name)
	return nil
}

func (m *memFS) MkdirAll(string, fs.FileMode) error { return nil }

func (m *memFS) SyncDir(dir string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.op("flush the directory") {
		return errCrash
	}
	m.syncs++
	for name := range m.durable {
		if filepath.Dir(name) == dir {
			delete(m.durable, name)
		}
	}
	for name, n := range m.names {
		if filepath.Dir(name) == dir {
			m.durable[name] = n
		}
	}
	return nil
}

func (m *memFS) Lock(name string) (func() error, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.locks[name] {
		return nil, ErrLocked
	}
	m.locks[name] = true
	return func() error {
		m.mu.Lock()
		delete(m.locks, name)
		m.mu.Unlock()
		return nil
	}, nil
}

type memFile struct {
	fs         *memFS
	name       string
	node       *inode
	off        int
	appendOnly bool
}

func (f *memFile) Read(p []byte) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.off >= len(f.node.data) {
		return 0, io.EOF
	}
	n := copy(p, f.node.data[f.off:])
	f.off += n
	return n, nil
}

func (f *memFile) Write(p []byte) (int, error) {
	m := f.fs
	m.mu.Lock()
	defer m.mu.Unlock()
	if f.appendOnly {
		f.off = len(f.node.data)
	}
	if m.op("write " + f.name) {
		if m.ops == m.crashAt { // this write was under way: part of it may land
			m.lastWrite.node, m.lastWrite.off, m.lastWrite.data = f.node, f.off, slices.Clone(p)
		}
		return 0, errCrash
	}
	d := f.node.data
	if f.off > len(d) {
		d = append(d, make([]byte, f.off-len(d))...)
	}
	d = append(d[:f.off:f.off], p...)
	if end := f.off + len(p); end < len(f.node.data) {
		d = append(d, f.node.data[end:]...)
	}
	f.node.data = d
	f.off += len(p)
	return len(p), nil
}

func (f *memFile) Sync() error {
	m := f.fs
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.op("flush " + f.name) {
		return errCrash
	}
	m.syncs++
	f.node.synced = slices.Clone(f.node.data)
	return nil
}

func (f *memFile) Truncate(size int64) error {
	m := f.fs
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.op("truncate " + f.name) {
		return errCrash
	}
	if int(size) < len(f.node.data) {
		f.node.data = slices.Clone(f.node.data[:size])
	}
	return nil
}

func (f *memFile) Close() error { return nil }

// describe names the files and their sizes, for failure messages.
func (m *memFS) describe() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var parts []string
	for name, n := range m.names {
		parts = append(parts, filepath.Base(name)+":"+strconv.Itoa(len(n.data)))
	}
	slices.Sort(parts)
	return strings.Join(parts, " ")
}
