package yamlerr

import (
	"fmt"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestLocate: each syntax error is placed at LINE:COL where a person should
// look (yaml/v3 itself names the line before, or where the enclosing block
// started).
func TestLocate(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"unclosed list", "a: 1\nb: [x, y\nc: 2\n", "2:4: did not find expected ',' or ']'"},
		{"unclosed mapping", "a: {x: 1,\n  y: 2\nb: {}\n", "3:1: did not find expected ',' or '}'"},
		{"tab in indentation", "a:\n  b: 1\n\tc: 2\n", "3:1: found a tab character that violates indentation (indent with spaces, not tabs)"},
		{"list item out of line", "a:\n  - x: 1\n    y: 2\n   z: 3\n", "4:4: did not find expected '-' indicator"},
		{"item less indented", "a:\n  b: 1\n - x\n", "3:2: did not find expected key"},
		{"unknown anchor", "a: 1\nb: *nope\n", "2:4: unknown anchor 'nope' referenced"},
		{"unclosed quote", "a: 1\nb: \"x\n", "2:1: found unexpected end of stream"},
	}
	for _, tt := range tests {
		var n yaml.Node
		err := yaml.Unmarshal([]byte(tt.doc), &n)
		if err == nil {
			t.Errorf("%s: yaml.Unmarshal(%q) = nil, want an error", tt.name, tt.doc)
			continue
		}
		line, col, msg := Locate([]byte(tt.doc), err)
		if got := fmt.Sprintf("%d:%d: %s", line, col, msg); got != tt.want {
			t.Errorf("Locate(%q) = %q, want %q", tt.doc, got, tt.want)
		}
	}
}
