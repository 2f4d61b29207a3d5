// Package library moves the whole training library in and out of
// Skillgate as one archive in the content/ + quizzes/ layout that
// `skillgate import` reads: the export (catalog.ExportLibrary packed as a
// .tar.gz or .zip) and the upload of such an archive, imported by the same
// importer as the command line, dry run first.
package library

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/catalog"
)

// Archive formats.
const (
	FormatTarGz = "tar.gz"
	FormatZip   = "zip"
)

// Limits of an uploaded archive.
const (
	MaxArchiveBytes = 64 << 20  // the upload
	MaxFiles        = 20_000    // files in it
	MaxUnpacked     = 256 << 20 // bytes once unpacked
)

// Pack writes files as an archive of format, every file dated at.
func Pack(w io.Writer, format string, files []catalog.LibraryFile, at time.Time) error {
	switch format {
	case FormatTarGz:
		gz := gzip.NewWriter(w)
		tw := tar.NewWriter(gz)
		for _, f := range files {
			h := &tar.Header{Name: f.Path, Mode: 0o644, Size: int64(len(f.Data)), ModTime: at, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
			if err := tw.WriteHeader(h); err != nil {
				return err
			}
			if _, err := tw.Write(f.Data); err != nil {
				return err
			}
		}
		if err := tw.Close(); err != nil {
			return err
		}
		return gz.Close()
	case FormatZip:
		zw := zip.NewWriter(w)
		for _, f := range files {
			fw, err := zw.CreateHeader(&zip.FileHeader{Name: f.Path, Method: zip.Deflate, Modified: at})
			if err != nil {
				return err
			}
			if _, err := fw.Write(f.Data); err != nil {
				return err
			}
		}
		return zw.Close()
	}
	return apperr.Invalidf("format", "must be %s or %s", FormatTarGz, FormatZip)
}

// Unpack writes the archive in data (a .tar.gz or a .zip, told apart by
// their first bytes) under dir. Only regular files under content/ or
// quizzes/ are taken (a single top folder holding them is allowed, as
// GitHub's archives have); anything else, a path escaping dir, or an
// archive past the limits is invalid, naming the entry.
func Unpack(data []byte, dir string) error {
	u := &unpacker{dir: dir}
	switch {
	case bytes.HasPrefix(data, []byte{0x1f, 0x8b}):
		gz, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return apperr.Invalidf("archive", "not a readable .tar.gz: %v", err)
		}
		tr := tar.NewReader(gz)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return apperr.Invalidf("archive", "not a readable .tar.gz: %v", err)
			}
			switch h.Typeflag {
			case tar.TypeDir, tar.TypeXGlobalHeader:
				continue
			case tar.TypeReg:
			default:
				return apperr.Invalidf("archive", "%s: only files and folders may be in the archive", h.Name)
			}
			if err := u.add(h.Name, tr); err != nil {
				return err
			}
		}
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return apperr.Invalidf("archive", "not a readable .zip: %v", err)
		}
		for _, f := range zr.File {
			if f.FileInfo().IsDir() {
				continue
			}
			if !f.Mode().IsRegular() {
				return apperr.Invalidf("archive", "%s: only files and folders may be in the archive", f.Name)
			}
			r, err := f.Open()
			if err != nil {
				return apperr.Invalidf("archive", "%s: %v", f.Name, err)
			}
			err = u.add(f.Name, r)
			r.Close()
			if err != nil {
				return err
			}
		}
	default:
		return apperr.Invalidf("archive", "send a .tar.gz or a .zip of the content/ and quizzes/ folders")
	}
	if u.files == 0 {
		return apperr.Invalidf("archive", "it holds no content/ or quizzes/ files")
	}
	return u.finish()
}

type unpacker struct {
	dir   string
	files int
	bytes int64
	top   string // the one top folder above content/ and quizzes/, if any
}

func (u *unpacker) add(name string, r io.Reader) error {
	clean := path.Clean(strings.TrimPrefix(name, "./"))
	if path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") || strings.Contains(name, "\\") {
		return apperr.Invalidf("archive", "%s: a path outside the library", name)
	}
	parts := strings.Split(clean, "/")
	if parts[0] != "content" && parts[0] != "quizzes" {
		if len(parts) < 3 || (parts[1] != "content" && parts[1] != "quizzes") {
			return nil // other files (a README beside the folders) are not the library's
		}
		if u.top != "" && u.top != parts[0] {
			return apperr.Invalidf("archive", "%s: the archive holds more than one library", name)
		}
		u.top = parts[0]
		clean = path.Join(parts[1:]...)
	}
	u.files++
	if u.files > MaxFiles {
		return apperr.Invalidf("archive", "more than %d files", MaxFiles)
	}
	to := filepath.Join(u.dir, filepath.FromSlash(clean))
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		if os.IsExist(err) {
			return apperr.Invalidf("archive", "%s is in the archive twice", clean)
		}
		return err
	}
	defer out.Close()
	n, err := io.Copy(out, io.LimitReader(r, MaxUnpacked-u.bytes+1))
	u.bytes += n
	if err != nil {
		return apperr.Invalidf("archive", "%s: %v", name, err)
	}
	if u.bytes > MaxUnpacked {
		return apperr.Invalidf("archive", "more than %d MiB once unpacked", MaxUnpacked>>20)
	}
	return nil
}

func (u *unpacker) finish() error {
	for _, d := range []string{"content", "quizzes"} {
		if err := os.MkdirAll(filepath.Join(u.dir, d), 0o755); err != nil {
			return fmt.Errorf("library: unpack: %w", err)
		}
	}
	return nil
}
