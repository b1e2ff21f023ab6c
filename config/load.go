package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"

	"go.yaml.in/yaml/v3"

	"github.com/intake-support/intake/internal/yamlerr"
)

// Load reads, decodes and validates the configuration file at path with
// ${VAR} taken from the process environment. A file that cannot be read
// gives a wrapped I/O error; a file with problems gives Errors.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	return Parse(path, data, os.LookupEnv)
}

// Parse decodes and validates the configuration in data. Path names the file
// in problems and anchors relative paths (its folder); env looks up ${VAR}
// (nil means an empty environment). On any problem it returns a nil Config
// and Errors listing every problem, sorted by position.
func Parse(path string, data []byte, env func(string) (string, bool)) (*Config, error) {
	if env == nil {
		env = func(string) (string, bool) { return "", false }
	}
	root, errs := parseYAML(path, data)
	if len(errs) > 0 {
		return nil, errs
	}
	d := newDecoder(path, env)
	cfg := &Config{File: path, Dir: absDir(path)}
	d.decode(root, reflect.ValueOf(cfg).Elem(), "")
	applyDefaults(cfg, d)
	validate(cfg, d)
	if len(d.errs) > 0 {
		return nil, d.errs.sorted()
	}
	return cfg, nil
}

func absDir(path string) string {
	dir := filepath.Dir(path)
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}

// resolvePath makes p absolute against the configuration's folder.
func (c *Config) resolvePath(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.Dir, p)
}

// parseYAML returns the top-level mapping of the single document in data.
func parseYAML(file string, data []byte) (top *yaml.Node, errs Errors) {
	defer func() {
		// yaml/v3 has panicked on hostile input before; a configuration
		// checker must report, not crash.
		if r := recover(); r != nil {
			top, errs = nil, Errors{{File: file, Line: 1, Col: 1, Msg: fmt.Sprintf("invalid YAML: %v", r)}}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, Errors{{File: file, Line: 1, Col: 1, Msg: "the configuration is empty"}}
		}
		return nil, Errors{syntaxError(file, data, err)}
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		line := extra.Line
		if len(extra.Content) > 0 {
			line = extra.Content[0].Line
		}
		return nil, Errors{{File: file, Line: max(line, 1), Col: 1, Msg: "only one YAML document is allowed (remove the ---)"}}
	case !errors.Is(err, io.EOF):
		return nil, Errors{syntaxError(file, data, err)}
	}
	if len(doc.Content) == 0 || isNull(doc.Content[0]) {
		return nil, Errors{{File: file, Line: 1, Col: 1, Msg: "the configuration is empty"}}
	}
	top = doc.Content[0]
	if resolve(top).Kind != yaml.MappingNode {
		return nil, Errors{{File: file, Line: top.Line, Col: top.Column, Msg: "expected a mapping of keys (store:, http:, ...) at the top of the file, got " + kindName(top)}}
	}
	return top, nil
}

// syntaxError turns a yaml/v3 error into a positioned Error.
func syntaxError(file string, data []byte, err error) Error {
	line, col, msg := yamlerr.Locate(data, err)
	return Error{File: file, Line: line, Col: col, Msg: "invalid YAML: " + msg}
}
