package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
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
		// yaml.v3 has panicked on hostile input before; a configuration
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

// syntaxError turns a yaml.v3 error ("yaml: line 3: did not find expected
// key") into a positioned Error. yaml.v3 reports parser errors on the line
// before the construct that failed (its lines count from 0 there) and
// omits line 1 altogether, so the line is corrected here; the column is the
// first character of that line, or of the culprit when it is recognisable.
func syntaxError(file string, data []byte, err error) Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, m, ok := strings.Cut(rest, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil {
				line, msg = n, m
			}
		}
	}
	if isParserError(msg) || line == 0 {
		line++
	}
	lines := strings.Split(string(data), "\n")
	if line > len(lines) {
		line = max(len(lines), 1)
	}
	text := ""
	if line-1 < len(lines) {
		text = lines[line-1]
	}
	col := len(text) - len(strings.TrimLeft(text, " ")) + 1
	switch {
	case strings.HasPrefix(msg, "unknown anchor"):
		// "unknown anchor 'x' referenced": find the alias *x.
		if name, ok := strings.CutPrefix(msg, "unknown anchor '"); ok {
			name, _, _ = strings.Cut(name, "'")
			if l, c, ok := find(lines, "*"+name); ok {
				line, col = l, c
			}
		}
	case strings.Contains(msg, "expected ',' or") && strings.Contains(text, "${"):
		col = strings.Index(text, "${") + 1
		msg += ` (inside [...] or {...}, write "${VAR}" in quotes)`
	case strings.Contains(text, "\t") && strings.Contains(msg, "cannot start any token"):
		col = strings.Index(text, "\t") + 1
		msg += " (indent with spaces, not tabs)"
	}
	return Error{File: file, Line: line, Col: col, Msg: "invalid YAML: " + msg}
}

// isParserError reports whether a yaml.v3 message comes from its parser
// (as opposed to its scanner), whose line numbers are off by one.
func isParserError(msg string) bool {
	for _, p := range []string{"did not find expected", "found duplicate %", "found incompatible YAML document", "found undefined tag handle"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

func find(lines []string, s string) (line, col int, ok bool) {
	for i, l := range lines {
		if c := strings.Index(l, s); c >= 0 {
			return i + 1, c + 1, true
		}
	}
	return 0, 0, false
}
