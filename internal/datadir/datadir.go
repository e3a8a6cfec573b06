// Package datadir keeps the server's files private: its directories 0700,
// its files 0600, and a clear error naming the path when they are not, or
// cannot be written.
//
// The rule is to fix a mode healthcode set and to refuse one it did not.
// A directory that already exists may not be healthcode's (--data . or a
// shared /srv), and changing its mode would change it for whoever else
// uses it, so a directory open to its group or others is refused. Files
// inside a private directory can only have been put there by the server's
// own user, so a database file is tightened to 0600 (versions before this
// one let SQLite create it 0644); key files, which healthcode has always
// written 0600, are refused when looser (see ReadKeyFile), since someone
// loosened them and the key may have been read.
//
// Root may write whatever the mode bits say, so a mode without the owner's
// write bit is reported as read-only even to root: the operator who set it
// meant it.
package datadir

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Ensure makes dir the private directory of the server's files: a missing
// one is created with mode 0700 (and its missing parents, also 0700); an
// existing one that lets its group or others in is refused, naming it and
// the fix.
func Ensure(dir string) error {
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("create directory %s: %w", dir, err)
		}
		// MkdirAll's mode passes through the umask; this one is exact.
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("directory %s: %w", dir, err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("directory %s: %w", dir, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("directory %s has mode %04o, open to its group or others; it holds keys and identities: "+
			"make it private (chmod 700 %s) or name a new directory, which is created 0700", dir, perm, dir)
	}
	return nil
}

// Writable reports, naming dir, when new files cannot be made in it: a
// mode without the owner's write bit, a read-only file system, or a
// directory of another user. It tries by creating and removing a file,
// since only the file system knows.
func Writable(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("directory %s: %w", dir, err)
	}
	if err := ownerWrite(dir, st); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".healthcode-write-test-*")
	if err != nil {
		return fmt.Errorf("directory %s is not writable (%w): the server writes its database and keys there", dir, unwrapPath(err))
	}
	return errors.Join(f.Close(), os.Remove(f.Name()))
}

// DataFile prepares path, a file the server writes (a database file),
// when it exists: it must be writable, and its group and other bits are
// taken off. A missing file is left for its writer to create.
func DataFile(path string) error {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("file %s: %w", path, err)
	}
	if err := ownerWrite(path, st); err != nil {
		return err
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		if err := os.Chmod(path, perm&^0o077); err != nil {
			return fmt.Errorf("make %s private: %w", path, err)
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("file %s is not writable (%w)", path, unwrapPath(err))
	}
	return f.Close()
}

// ReadKeyFile reads the file at path, which holds a key, and refuses it
// when its group or others may read or write it. A missing file is an
// fs.ErrNotExist.
func ReadKeyFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	if err := privateFile(path, st); err != nil {
		return nil, err
	}
	return io.ReadAll(f)
}

func privateFile(path string, st fs.FileInfo) error {
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("key file %s has mode %04o, open to its group or others; healthcode writes it 0600, "+
			"so it was changed (a restored backup?): chmod 600 %s, and if others could read it, treat the key as exposed",
			path, perm, path)
	}
	return nil
}

func ownerWrite(path string, st fs.FileInfo) error {
	if perm := st.Mode().Perm(); perm&0o200 == 0 {
		return fmt.Errorf("%s is read-only (mode %04o): the server must write it; chmod u+w %s", path, perm, path)
	}
	return nil
}

// unwrapPath drops the path an *fs.PathError repeats, since the message
// names it already.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
