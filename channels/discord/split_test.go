package discord

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/intake-support/intake"
)

func TestSplitText(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		limit int
		want  []string
	}{
		{name: "empty", in: "", limit: 10, want: nil},
		{name: "blank", in: " \n\n ", limit: 10, want: nil},
		{name: "fits", in: "hello", limit: 10, want: []string{"hello"}},
		{name: "exactly the limit", in: "0123456789", limit: 10, want: []string{"0123456789"}},
		{name: "at a line break", in: "first line\nsecond", limit: 12, want: []string{"first line", "second"}},
		{name: "at a space", in: "alpha beta gamma", limit: 12, want: []string{"alpha beta", "gamma"}},
		{name: "hard cut", in: "abcdefghijklmnop", limit: 6, want: []string{"abcdef", "ghijkl", "mnop"}},
		{name: "early break ignored", in: "a bcdefghijkl", limit: 6, want: []string{"a bcde", "fghijk", "l"}},
		{name: "multibyte runes", in: "ñañañañaña", limit: 4, want: []string{"ñaña", "ñaña", "ña"}},
		{name: "emoji kept whole", in: "😀😀😀", limit: 2, want: []string{"😀😀", "😀"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := splitText(tc.in, tc.limit)
			if !slices.Equal(got, tc.want) {
				t.Errorf("splitText(%q, %d) = %q, want %q", tc.in, tc.limit, got, tc.want)
			}
			for _, p := range got {
				if n := utf8.RuneCountInString(p); n > tc.limit || !utf8.ValidString(p) {
					t.Errorf("part %q: %d characters, valid %v", p, n, utf8.ValidString(p))
				}
			}
		})
	}
}

func TestNeutralize(t *testing.T) {
	tests := map[string]string{
		"@everyone look":     "@\u200beveryone look",
		"hi @here":           "hi @\u200bhere",
		"mail me@here.com":   "mail me@\u200bhere.com",
		"no mention <@1234>": "no mention <@1234>",
	}
	for in, want := range tests {
		if got := neutralize(in); got != want {
			t.Errorf("neutralize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestButtonRows(t *testing.T) {
	var bs []intake.Button
	for i := range 12 {
		bs = append(bs, intake.Button{Action: "a" + strings.Repeat("x", i), Label: "L"})
	}
	bs = append(bs, intake.Button{Action: ""}, intake.Button{Action: strings.Repeat("y", 101)})
	rows := buttonRows(bs)
	if len(rows) != 3 {
		t.Fatalf("buttonRows(12 valid) = %d rows, want 3", len(rows))
	}
	if got := buttonRows(nil); got != nil {
		t.Errorf("buttonRows(nil) = %v, want nil", got)
	}
}

// FuzzSplitText checks splitText's promises on any text: parts within the
// limit, valid UTF-8, none blank, and nothing but the whitespace at the cuts
// lost.
func FuzzSplitText(f *testing.F) {
	f.Add("first line\nsecond line", 12)
	f.Add("alpha beta gamma delta", 7)
	f.Add("ñañañaña 😀😀😀 \n\n  x", 3)
	f.Add(strings.Repeat("word ", 900), 2000)
	f.Add("\xff\xfe invalid \xc3", 4)
	f.Fuzz(func(t *testing.T, s string, limit int) {
		if limit < 1 || limit > 5000 {
			return
		}
		parts := splitText(s, limit)
		var joined strings.Builder
		for _, p := range parts {
			if n := utf8.RuneCountInString(p); n > limit {
				t.Fatalf("part of %d characters, limit %d", n, limit)
			}
			if strings.TrimSpace(p) == "" {
				t.Fatalf("blank part %q", p)
			}
			if utf8.ValidString(s) && !utf8.ValidString(p) {
				t.Fatalf("part %q of valid text is not valid UTF-8", p)
			}
			joined.WriteString(p)
		}
		if got, want := strings.Join(strings.Fields(joined.String()), ""), strings.Join(strings.Fields(s), ""); got != want {
			t.Fatalf("splitText(%q, %d) = %q: the text changed beyond whitespace", s, limit, parts)
		}
	})
}
