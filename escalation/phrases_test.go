package escalation

import (
	"regexp"
	"slices"
	"testing"
)

// verb is an fmt verb, with its flags, width and precision.
var verb = regexp.MustCompile(`%[-+# 0]*(\[\d+\])?\d*(\.\d+)?[a-zA-Z%]`)

// TestPhraseTables: every phrase, for customers and for agents, exists in
// Spanish and English, non-empty, with the same fmt verbs in the same order,
// or one language would print a %!(EXTRA) or a blank.
func TestPhraseTables(t *testing.T) {
	for name, table := range map[string]map[string]map[string]string{"phrases": phrases, "deskPhrases": deskPhrases} {
		for key, byLang := range table {
			es, en := byLang["es"], byLang["en"]
			if es == "" || en == "" || len(byLang) != 2 {
				t.Errorf("%s[%q] = %q, want es and en, both non-empty, and nothing else", name, key, byLang)
				continue
			}
			if ves, ven := verb.FindAllString(es, -1), verb.FindAllString(en, -1); !slices.Equal(ves, ven) {
				t.Errorf("%s[%q]: verbs es %q, en %q; want the same", name, key, ves, ven)
			}
		}
	}
}
