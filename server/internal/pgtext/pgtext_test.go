package pgtext

import (
	"errors"
	"testing"
)

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name    string
		data    string
		line    int // 0: no error
		problem string
	}{
		{"plain", "hello\nworld\n", 0, ""},
		{"accents and emoji", "café ☕ 🚀\n", 0, ""},
		{"empty", "", 0, ""},
		{"NUL on line 1", "a\x00b", 1, NUL},
		{"NUL on line 3", "a\nb\nc\x00", 3, NUL},
		{"invalid byte on line 2", "ok\n\xff", 2, InvalidUTF8},
		{"truncated rune", "ok\n\xe2\x82", 2, InvalidUTF8},
		{"surrogate half (CESU)", "\xed\xa0\x80", 1, InvalidUTF8},
		{"overlong NUL", "x\xc0\x80", 1, InvalidUTF8},
		{"first of two problems wins", "a\n\xff\n\x00", 2, InvalidUTF8},
		{"NUL before a bad byte", "\x00\n\xff", 1, NUL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Check([]byte(tc.data))
			var fe *FileError
			switch {
			case tc.line == 0 && err != nil:
				t.Errorf("got %v, want none", err)
			case tc.line != 0 && (!errors.As(err, &fe) || fe.Line != tc.line || fe.Problem != tc.problem):
				t.Errorf("got %v, want line %d: %s", err, tc.line, tc.problem)
			}
			if got := Problem(tc.data); got != tc.problem {
				t.Errorf("Problem: got %q, want %q", got, tc.problem)
			}
		})
	}
}
