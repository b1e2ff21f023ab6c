// Package repodata opens the data the tests carry in the repository's
// testdata/ folder (gzip-compressed; see testdata/README.md for provenance and
// licences), from whichever package a test runs in.
package repodata

import (
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Dir is the repository's testdata folder.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata")
}

// Open opens testdata/name, decompressing it when name ends in .gz. The
// caller closes the reader.
func Open(name string) (io.ReadCloser, error) {
	f, err := os.Open(filepath.Join(Dir(), filepath.FromSlash(name)))
	if err != nil {
		return nil, fmt.Errorf("open test data: %w", err)
	}
	if !strings.HasSuffix(name, ".gz") {
		return f, nil
	}
	z, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open test data %s: %w", name, err)
	}
	return &gzFile{Reader: z, f: f}, nil
}

type gzFile struct {
	*gzip.Reader
	f *os.File
}

func (g *gzFile) Close() error {
	err := g.Reader.Close()
	if cerr := g.f.Close(); err == nil {
		err = cerr
	}
	return err
}
