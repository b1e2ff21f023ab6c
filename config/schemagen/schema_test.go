package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// TestSchemaIsCurrent regenerates the schema and compares it with the file.
func TestSchemaIsCurrent(t *testing.T) {
	want, err := generate("..")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../intake.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("config/intake.schema.json is stale: run `go run ./config/schemagen` at the repository's root")
	}
}

// TestSchemaShape spot-checks what editors rely on.
func TestSchemaShape(t *testing.T) {
	data, err := generate("..")
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		AdditionalProperties bool `json:"additionalProperties"`
		Properties           map[string]json.RawMessage
	}
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	if s.AdditionalProperties {
		t.Errorf("root additionalProperties = true, want false (unknown keys are errors)")
	}
	for _, key := range []string{"store", "http", "log", "business_hours", "channels", "triage", "tiers", "routing", "major_incidents"} {
		if _, ok := s.Properties[key]; !ok {
			t.Errorf("schema lacks the top-level key %q", key)
		}
	}
	for _, want := range []string{`"enum": [`, `"debug"`, `"starttls"`, `"remind"`, `bolt:`, `"smtp_listen"`, `"thread_window"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("schema lacks %s", want)
		}
	}
}

// TestExampleNamesTheSchema: the modeline editors read.
func TestExampleNamesTheSchema(t *testing.T) {
	data, err := os.ReadFile("../example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(string(data), "\n"); first != "# yaml-language-server: $schema=intake.schema.json" {
		t.Errorf("config/example.yaml starts with %q, want the yaml-language-server modeline", first)
	}
}

// TestSchemaAcceptsTheExampleAndRefusesMistakes validates YAML files against
// the schema with a JSON Schema validator, as an editor would.
func TestSchemaAcceptsTheExampleAndRefusesMistakes(t *testing.T) {
	data, err := generate("..")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("intake.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("intake.schema.json")
	if err != nil {
		t.Fatalf("compile the schema: %v", err)
	}
	example, err := os.ReadFile("../example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, yaml string
		valid      bool
	}{
		{"config/example.yaml", string(example), true},
		{"env reference in a number", "triage: {threshold: '${THRESHOLD:-0.5}'}", true},
		{"unknown top-level key", "stores: bolt:x.db", false},
		{"unknown nested key", "http: {listen: ':8080', api_tokens: x}", false},
		{"bad duration", "triage: {confirm_within: 2 days}", false},
		{"bad log level", "log: {level: loud}", false},
		{"bad store", "store: mysql://x", false},
		{"bad weekday", "business_hours: {days: [someday]}", false},
		{"tier name as one text", "tiers: [{id: L2, name: Nivel II, slack_channel: C0L2}]", true},
		{"tier name per language", "tiers: [{id: L2, name: {es: Nivel II, en: Tier II}, slack_channel: C0L2}]", true},
		{"on-call hours by kind", "on_call: {mention: S0, hours: off_hours}", true},
		{"on-call hours as a window", "on_call: {mention: S0, hours: {days: [sat], from: '08:00', to: '20:00'}}", true},
		{"bad on-call hours", "on_call: {mention: S0, hours: sometimes}", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var v any
			if err := yaml.Unmarshal([]byte(tc.yaml), &v); err != nil {
				t.Fatal(err)
			}
			err := sch.Validate(v)
			if (err == nil) != tc.valid {
				t.Errorf("Validate(%q) = %v, want valid %v", tc.name, err, tc.valid)
			}
		})
	}
}
