package kb

import (
	"strings"
	"testing"
)

func TestCheckCategories(t *testing.T) {
	const article = "id: a1\ncategory: %s\nanswer: {es: Paso 1}\n"
	tests := []struct {
		category string
		extra    []string
		want     string // "" for no problem
	}{
		{"hardware", nil, ""},
		{"out_of_scope", nil, ""},
		{"hardwre", nil, `a.yaml:2:11: unknown category "hardwre" (did you mean "hardware"?); known: account, software, hardware, network, email, database, server, infrastructure, outage, onsite, development, other, out_of_scope (name a new one in triage.details or a routing rule)`},
		{"printers", []string{"printers", "default"}, ""},
		{"facilities", nil, `a.yaml:2:11: unknown category "facilities"; known:`},
	}
	for _, tt := range tests {
		dir := writeKB(t, map[string]string{"a.yaml": strings.Replace(article, "%s", tt.category, 1)})
		k, err := Load(dir)
		if err != nil {
			t.Fatalf("Load(%s) = %v", tt.category, err)
		}
		probs := CheckCategories(k, tt.extra...)
		got := ""
		if len(probs) > 0 {
			got = strings.TrimPrefix(probs[0].Error(), dir+"/")
		}
		if (tt.want == "") != (got == "") || !strings.HasPrefix(got, tt.want) || len(probs) > 1 {
			t.Errorf("CheckCategories(%q, %v) = %q, want %q", tt.category, tt.extra, got, tt.want)
		}
	}
}
