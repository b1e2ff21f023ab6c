package kb

import (
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/intake-support/intake/internal/yamlerr"
)

var idRe = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._-]*$`)

// Parse decodes one KB file holding one article (a mapping) or a list of
// them, checking the schema; file names the problems.
func Parse(file string, data []byte) ([]*Article, []Problem) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, col, msg := yamlerr.Locate(data, err)
		return nil, []Problem{{File: file, Line: line, Col: col, Msg: "invalid YAML: " + msg}}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, []Problem{{File: file, Line: 1, Col: 1, Msg: "empty file: want an article or a list of articles"}}
	}
	root := doc.Content[0]
	p := &parser{file: file}
	var arts []*Article
	switch root.Kind {
	case yaml.MappingNode:
		if a := p.article(root); a != nil {
			arts = append(arts, a)
		}
	case yaml.SequenceNode:
		for _, n := range root.Content {
			if n.Kind != yaml.MappingNode {
				p.errf(n, "want an article (a mapping), got %s", yamlerr.KindName(n))
				continue
			}
			if a := p.article(n); a != nil {
				arts = append(arts, a)
			}
		}
	default:
		p.errf(root, "want an article or a list of articles, got %s", yamlerr.KindName(root))
	}
	return arts, p.probs
}

type parser struct {
	file  string
	probs []Problem
}

func (p *parser) errf(n *yaml.Node, format string, args ...any) {
	p.probs = append(p.probs, Problem{File: p.file, Line: n.Line, Col: n.Column, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) article(n *yaml.Node) *Article {
	a := &Article{File: p.file, Line: n.Line}
	before := len(p.probs)
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			p.errf(k, "duplicate key %q", k.Value)
			continue
		}
		seen[k.Value] = true
		switch k.Value {
		case "id":
			a.ID = p.scalar(v)
			if a.ID != "" && !idRe.MatchString(a.ID) {
				p.errf(v, "id %q: use letters, digits, '.', '_' and '-'", a.ID)
			}
		case "category":
			a.Category = p.scalar(v)
			a.CategoryLine, a.CategoryCol = v.Line, v.Column
		case "title":
			a.Title = p.langStrings(v)
		case "questions":
			a.Questions = p.langLists(v)
		case "answer":
			a.Answer = p.langStrings(v)
		case "keywords":
			a.Keywords = p.keywords(v)
		case "synonyms":
			a.Synonyms = p.synonyms(v)
		default:
			p.errf(k, "unknown key %q (want id, category, title, questions, answer, keywords, synonyms)", k.Value)
		}
	}
	if a.ID == "" && !seen["id"] {
		p.errf(n, "article without id")
	}
	if a.Category == "" && !seen["category"] {
		p.errf(n, "article %q without category", a.ID)
	}
	if len(a.Answer) == 0 && !seen["answer"] {
		p.errf(n, "article %q without answer", a.ID)
	}
	if len(p.probs) > before {
		return nil
	}
	return a
}

func (p *parser) scalar(v *yaml.Node) string {
	if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
		p.errf(v, "want a string, got %s", yamlerr.KindName(v))
		return ""
	}
	s := strings.TrimSpace(v.Value)
	if s == "" {
		p.errf(v, "empty value")
	}
	return s
}

func (p *parser) langKey(k *yaml.Node) bool {
	if len(k.Value) < 2 || len(k.Value) > 3 || strings.ToLower(k.Value) != k.Value {
		p.errf(k, "want a language code such as es or en, got %q", k.Value)
		return false
	}
	return true
}

func (p *parser) langStrings(v *yaml.Node) map[string]string {
	if v.Kind != yaml.MappingNode {
		p.errf(v, "want a mapping from language to text, got %s", yamlerr.KindName(v))
		return nil
	}
	out := map[string]string{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, t := v.Content[i], v.Content[i+1]
		if !p.langKey(k) {
			continue
		}
		if s := p.scalar(t); s != "" {
			out[k.Value] = s
		}
	}
	return out
}

func (p *parser) list(v *yaml.Node) []string {
	if v.Kind != yaml.SequenceNode {
		p.errf(v, "want a list of strings, got %s", yamlerr.KindName(v))
		return nil
	}
	out := make([]string, 0, len(v.Content))
	for _, n := range v.Content {
		if s := p.scalar(n); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (p *parser) langLists(v *yaml.Node) map[string][]string {
	if v.Kind != yaml.MappingNode {
		p.errf(v, "want a mapping from language to a list of questions, got %s", yamlerr.KindName(v))
		return nil
	}
	out := map[string][]string{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, l := v.Content[i], v.Content[i+1]
		if p.langKey(k) {
			out[k.Value] = p.list(l)
		}
	}
	return out
}

// keywords accepts a plain list or a mapping from language to a list.
func (p *parser) keywords(v *yaml.Node) []string {
	if v.Kind == yaml.MappingNode {
		var out []string
		for _, l := range p.langLists(v) {
			out = append(out, l...)
		}
		return out
	}
	return p.list(v)
}

func (p *parser) synonyms(v *yaml.Node) map[string][]string {
	if v.Kind != yaml.MappingNode {
		p.errf(v, "want a mapping from a word to its synonyms, got %s", yamlerr.KindName(v))
		return nil
	}
	out := map[string][]string{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, l := v.Content[i], v.Content[i+1]
		if w := p.scalar(k); w != "" {
			out[w] = p.list(l)
		}
	}
	return out
}
