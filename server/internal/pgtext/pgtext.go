// Package pgtext says whether text can be stored in a PostgreSQL text or
// jsonb column: it must be valid UTF-8 and hold no NUL character. Every way
// text comes into Skillgate checks with it, in one place per way: the JSON
// binder and the query middleware (httpx), CSV imports (csvimport), and the
// library files (the catalog, quiz and role-play loaders read through
// ReadFile), so that such text is refused as invalid input naming where it
// is, instead of failing in the database as a 500.
package pgtext

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"unicode/utf8"
)

// Problems a text may have, as the error messages say them.
const (
	NUL         = "must not contain a NUL character (\\u0000)"
	InvalidUTF8 = "must be valid UTF-8 text"
)

// Problem returns why s cannot be stored, or "" when it can.
func Problem(s string) string {
	_, p := find([]byte(s))
	return p
}

// find returns the byte offset of the first byte that cannot be stored and
// the problem, or -1 and "".
func find(b []byte) (int, string) {
	nul := bytes.IndexByte(b, 0)
	bad := -1
	if !utf8.Valid(b) {
		for i := 0; i < len(b); {
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n <= 1 {
				bad = i
				break
			}
			i += n
		}
	}
	switch {
	case nul >= 0 && (bad < 0 || nul < bad):
		return nul, NUL
	case bad >= 0:
		return bad, InvalidUTF8
	}
	return -1, ""
}

// FileError is a library file that is not storable text.
type FileError struct {
	Line    int    // the line of the first bad byte, from 1
	Problem string // NUL or InvalidUTF8
}

func (e *FileError) Error() string { return fmt.Sprintf("line %d: the file %s", e.Line, e.Problem) }

// Check returns a *FileError for the first byte of data that cannot be
// stored, or nil.
func Check(data []byte) error {
	off, p := find(data)
	if off < 0 {
		return nil
	}
	return &FileError{Line: 1 + bytes.Count(data[:off], []byte("\n")), Problem: p}
}

// ReadFile reads a library file from disk and checks it: a file that is not
// storable text fails with a *FileError.
func ReadFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return b, Check(b)
}

// ReadFS is ReadFile for a file of fsys.
func ReadFS(fsys fs.FS, name string) ([]byte, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	return b, Check(b)
}
