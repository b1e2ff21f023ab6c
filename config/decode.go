package config

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// maxValues bounds the values one file may decode to, so that aliases
// referring to aliases (a "billion laughs" file) cannot exhaust memory.
const maxValues = 200_000

// maxMergeDepth bounds nested merge keys (<<), which may refer to themselves.
const maxMergeDepth = 16

// decoder walks a yaml/v3 node tree into the typed structs by their yaml
// tags, so that it knows the position of every value. It never stops at the
// first problem: each one is collected and the walk goes on.
type decoder struct {
	file string
	env  func(string) (string, bool)
	errs Errors
	// nodes maps a value's path (tiers[0].next) to its node, for the
	// positions of problems that validation finds later.
	nodes   map[string]*yaml.Node
	values  int
	tooMany bool
	// misspelt holds the paths of keys that an unknown key probably meant,
	// so that "X is required" does not repeat the unknown-key problem.
	misspelt map[string]bool
	// bad holds the paths of values that failed to decode, so that
	// validation does not pile further problems on them.
	bad map[string]bool
}

func newDecoder(file string, env func(string) (string, bool)) *decoder {
	return &decoder{file: file, env: env, nodes: map[string]*yaml.Node{}, misspelt: map[string]bool{}, bad: map[string]bool{}}
}

// errorAt records a problem at node n.
func (d *decoder) errorAt(n *yaml.Node, msg string) {
	line, col := 1, 1
	if n != nil {
		line, col = max(n.Line, 1), max(n.Column, 1)
	}
	d.errs = append(d.errs, Error{File: d.file, Line: line, Col: col, Msg: msg})
}

// fail records a problem with the value at path, whose node is n, naming the
// key in the message.
func (d *decoder) fail(n *yaml.Node, path, msg string) {
	d.bad[path] = true
	if k := lastKey(path); k != "" {
		msg = k + ": " + msg
	}
	d.errorAt(n, msg)
}

// failPath records a problem with the value at path. When the path has no
// node (the key is absent), the problem is placed at the nearest enclosing
// value and names the full path.
func (d *decoder) failPath(path, msg string) {
	if d.bad[path] {
		return
	}
	if n, ok := d.nodes[path]; ok {
		d.fail(n, path, msg)
		return
	}
	for p := parentPath(path); ; p = parentPath(p) {
		if n, ok := d.nodes[p]; ok || p == "" {
			d.errorAt(n, path+": "+msg)
			return
		}
	}
}

// required records that the key at path is missing, unless an unknown key
// next to it was probably meant to be it.
func (d *decoder) required(path, why string) {
	if d.misspelt[path] || d.bad[path] {
		return
	}
	if d.present(path) {
		d.fail(d.nodes[path], path, "must not be empty"+why)
		return
	}
	for p := parentPath(path); ; p = parentPath(p) {
		if n, ok := d.nodes[p]; ok || p == "" {
			d.errorAt(n, path+" is required"+why)
			return
		}
	}
}

// present reports whether the key at path was written with a non-null value.
func (d *decoder) present(path string) bool {
	n, ok := d.nodes[path]
	return ok && !isNull(n)
}

func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	d.values++
	if d.values > maxValues {
		if !d.tooMany {
			d.tooMany = true
			d.errorAt(n, fmt.Sprintf("the configuration expands to more than %d values (aliases referring to aliases?)", maxValues))
		}
		return
	}
	d.nodes[path] = n
	n = resolve(n)
	if isNull(n) {
		return
	}
	if v.CanAddr() {
		if av, ok := v.Addr().Interface().(altScalar); ok && n.Kind == yaml.ScalarNode {
			if s, ok := d.scalar(n, path, "a string"); ok {
				if err := av.parseAltScalar(s); err != nil {
					d.fail(n, path, err.Error())
				}
			}
			return
		}
		if sv, ok := v.Addr().Interface().(scalarValue); ok {
			if s, ok := d.scalar(n, path, "a string"); ok {
				if err := sv.parseScalar(s); err != nil {
					d.fail(n, path, err.Error())
				}
			}
			return
		}
	}
	switch v.Type() {
	case reflect.TypeFor[time.Duration]():
		if s, ok := d.scalar(n, path, "a duration such as 15m"); ok {
			if dur, err := parseDuration(s); err != nil {
				d.fail(n, path, err.Error())
			} else {
				v.SetInt(int64(dur))
			}
		}
		return
	case reflect.TypeFor[time.Weekday]():
		if s, ok := d.scalar(n, path, "a day name such as mon"); ok {
			if wd, ok := parseWeekday(s); ok {
				v.SetInt(int64(wd))
			} else {
				d.fail(n, path, unknownMsg("day", s, strings.Fields(dayNames)))
			}
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		d.decode(n, p.Elem(), path)
		v.Set(p)
	case reflect.Struct:
		d.structure(n, v, path)
	case reflect.Slice:
		d.sequence(n, v, path)
	case reflect.Map:
		d.mapping(n, v, path)
	case reflect.String:
		if s, ok := d.scalar(n, path, "a string"); ok {
			v.SetString(s)
		}
	case reflect.Bool:
		if s, ok := d.scalar(n, path, "true or false"); ok {
			switch s {
			case "true", "True", "TRUE":
				v.SetBool(true)
			case "false", "False", "FALSE":
				v.SetBool(false)
			default:
				d.fail(n, path, fmt.Sprintf("expected true or false, got %q", s))
			}
		}
	case reflect.Int, reflect.Int64:
		if s, ok := d.scalar(n, path, "a whole number"); ok {
			i, err := strconv.ParseInt(s, 10, 64)
			if err != nil || i > math.MaxInt32 || i < math.MinInt32 {
				d.fail(n, path, fmt.Sprintf("expected a whole number, got %q", s))
				return
			}
			v.SetInt(i)
		}
	case reflect.Float64:
		if s, ok := d.scalar(n, path, "a number"); ok {
			f, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				d.fail(n, path, fmt.Sprintf("expected a number, got %q", s))
				return
			}
			v.SetFloat(f)
		}
	default:
		// Only reachable if a field of an unsupported type is added to the schema.
		d.fail(n, path, fmt.Sprintf("cannot decode into %s", v.Type()))
	}
}

// scalar returns the text of a scalar node with ${VAR} expanded, or records
// why it cannot.
func (d *decoder) scalar(n *yaml.Node, path, want string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		d.fail(n, path, fmt.Sprintf("expected %s, got %s", want, kindName(n)))
		return "", false
	}
	s, probs := expand(n.Value, d.env)
	for _, p := range probs {
		d.fail(n, path, p)
	}
	return s, len(probs) == 0
}
