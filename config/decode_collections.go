package config

import (
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// structure decodes a mapping into a struct, rejecting unknown keys.
func (d *decoder) structure(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping of keys, got "+kindName(n))
		return
	}
	t := v.Type()
	index := map[string]int{}
	var names []string
	for i := 0; i < t.NumField(); i++ {
		name := t.Field(i).Tag.Get("yaml")
		if name == "" || name == "-" {
			continue
		}
		index[name] = i
		names = append(names, name)
	}
	for _, p := range d.pairs(n, path, 0) {
		if strings.HasPrefix(p.key.Value, "x-") {
			// Extension keys are ignored so that anchors can live there.
			continue
		}
		i, ok := index[p.key.Value]
		if !ok {
			d.errorAt(p.key, unknownMsg("key", p.key.Value, names))
			if k := suggest(p.key.Value, names); k != "" {
				d.misspelt[joinPath(path, k)] = true
			}
			continue
		}
		d.decode(p.val, v.Field(i), joinPath(path, p.key.Value))
	}
}

// mapping decodes a mapping with free keys (such as triage.details).
func (d *decoder) mapping(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping, got "+kindName(n))
		return
	}
	m := reflect.MakeMap(v.Type())
	for _, p := range d.pairs(n, path, 0) {
		e := reflect.New(v.Type().Elem()).Elem()
		d.decode(p.val, e, joinPath(path, p.key.Value))
		m.SetMapIndex(reflect.ValueOf(p.key.Value).Convert(v.Type().Key()), e)
	}
	v.Set(m)
}

// sequence decodes a list. A single scalar is accepted where a list of
// strings is expected (category: onsite means [onsite]).
func (d *decoder) sequence(n *yaml.Node, v reflect.Value, path string) {
	elem := v.Type().Elem()
	if n.Kind == yaml.ScalarNode && elem.Kind() == reflect.String {
		s := reflect.MakeSlice(v.Type(), 1, 1)
		d.decode(n, s.Index(0), path+"[0]")
		v.Set(s)
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.fail(n, path, "expected a list, got "+kindName(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, c := range n.Content {
		p := fmt.Sprintf("%s[%d]", path, i)
		if isNull(resolve(c)) {
			d.nodes[p] = c
			d.fail(c, p, "empty list item")
			continue
		}
		d.decode(c, s.Index(i), p)
	}
	v.Set(s)
}

type pair struct{ key, val *yaml.Node }

// pairs lists the key/value pairs of a mapping, with merge keys (<<)
// expanded (explicit keys win) and duplicate keys reported.
func (d *decoder) pairs(n *yaml.Node, path string, depth int) []pair {
	var out, merged []pair
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		d.values++
		if k.Kind != yaml.ScalarNode {
			d.errorAt(k, "a key must be a plain word, got "+kindName(k))
			continue
		}
		if k.ShortTag() == "!!merge" {
			merged = append(merged, d.merge(val, path, depth+1)...)
			continue
		}
		if prev, dup := seen[k.Value]; dup {
			d.errorAt(k, fmt.Sprintf("duplicate key %q (first at line %d)", k.Value, prev.Line))
			continue
		}
		seen[k.Value] = k
		out = append(out, pair{k, val})
	}
	for _, p := range merged {
		if _, ok := seen[p.key.Value]; !ok {
			seen[p.key.Value] = p.key
			out = append(out, p)
		}
	}
	return out
}

// merge returns the pairs a merge key brings in: one mapping, or a list of
// mappings where earlier ones win.
func (d *decoder) merge(n *yaml.Node, path string, depth int) []pair {
	if depth > maxMergeDepth || d.values > maxValues {
		d.errorAt(n, "merge keys (<<) nested too deeply")
		return nil
	}
	n = resolve(n)
	switch n.Kind {
	case yaml.MappingNode:
		return d.pairs(n, path, depth)
	case yaml.SequenceNode:
		var out []pair
		seen := map[string]bool{}
		for _, c := range n.Content {
			if c = resolve(c); c.Kind != yaml.MappingNode {
				d.errorAt(c, "<<: expected a mapping, got "+kindName(c))
				continue
			}
			for _, p := range d.pairs(c, path, depth) {
				if !seen[p.key.Value] {
					seen[p.key.Value] = true
					out = append(out, p)
				}
			}
		}
		return out
	}
	d.errorAt(n, "<<: expected a mapping or a list of mappings, got "+kindName(n))
	return nil
}
