package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	intake "github.com/intake-support/intake"
)

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

func TestLoadExample(t *testing.T) {
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// An empty environment: the example needs no credentials.
	cfg, err := Parse("example.yaml", data, nil)
	if err != nil {
		t.Fatalf("Parse(%q) = %v, want no error", "example.yaml", err)
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"store kind", cfg.Store.Kind, StoreBolt},
		{"store path", cfg.Store.Path, filepath.Join(dir, "data", "intake.db")},
		{"http listen", cfg.HTTP.Listen, "127.0.0.1:8080"},
		{"api token", cfg.HTTP.APIToken, ""},
		{"timezone", cfg.BusinessHours.Location.String(), "America/Mexico_City"},
		{"from", cfg.BusinessHours.From.String(), "08:00"},
		{"email on", cfg.Channels.Email.Enabled(), true},
		{"imap off", cfg.Channels.Email.IMAP.Enabled(), false},
		{"smtp listen", cfg.Channels.Email.SMTPListen.Addr, "127.0.0.1:2525"},
		{"smtp max size", cfg.Channels.Email.SMTPListen.MaxSize, 25 * MB},
		{"smtp out off", cfg.Channels.Email.SMTPOut.Enabled(), false},
		{"outbox", cfg.Channels.Email.OutboxDir, filepath.Join(dir, "outbox")},
		{"slack off", cfg.Channels.Slack.Enabled(), false},
		{"discord off", cfg.Channels.Discord.Enabled(), false},
		{"note prefix", cfg.Channels.Slack.NotePrefix, "//"},
		{"kb", cfg.Triage.KnowledgeBase, filepath.Join(dir, "kb")},
		{"languages", strings.Join(cfg.Triage.Languages, ","), "es,en"},
		{"onsite details", strings.Join(cfg.Triage.DetailsFor("onsite"), ","), "address,availability"},
		{"default details", strings.Join(cfg.Triage.DetailsFor("network"), ","), "description,since,impact"},
		{"confirm within", cfg.Triage.ConfirmWithin, 24 * time.Hour},
		{"tiers", len(cfg.Tiers), 4},
		{"routing", len(cfg.Routing), 7},
		{"last rule catches all", cfg.Routing[6].When.CatchAll(), true},
		{"outage rule", cfg.Routing[1].Name + " " + string(cfg.Routing[1].Tier), "outage L3"},
		{"on-call", cfg.OnCall.Mention + " " + cfg.OnCall.Hours.Kind, "S0ONCALL always"},
		{"major incidents", cfg.MajorIncidents.Enabled(), true},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("Load(example.yaml) %s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	l3, ok := cfg.Tier("L3")
	if !ok || l3.Name.In("es") != "Nivel III" || l3.Name.In("en") != "Tier III" || l3.ClaimWithin != 30*time.Minute || l3.Next != "L4" {
		t.Errorf("Tier(L3) = %+v, %v; want Nivel III, 30m, next L4", l3, ok)
	}
	if _, ok := cfg.Tier("L9"); ok {
		t.Errorf("Tier(L9) found, want not found")
	}
}

func TestLoadExampleWithTokens(t *testing.T) {
	data, err := os.ReadFile("example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	env := envOf(map[string]string{
		"INTAKE_API_TOKEN":  "s3cret",
		"SLACK_BOT_TOKEN":   "xoxb-1",
		"SLACK_APP_TOKEN":   "xapp-1",
		"DISCORD_BOT_TOKEN": "discord-token",
	})
	cfg, err := Parse("example.yaml", data, env)
	if err != nil {
		t.Fatalf("Parse(example.yaml) with tokens = %v, want no error", err)
	}
	if !cfg.Channels.Slack.Enabled() || !cfg.Channels.Slack.SocketMode() || !cfg.Channels.Discord.Enabled() || cfg.HTTP.APIToken != "s3cret" {
		t.Errorf("Parse(example.yaml) with tokens: slack %v socket %v discord %v token %q; want all on",
			cfg.Channels.Slack.Enabled(), cfg.Channels.Slack.SocketMode(), cfg.Channels.Discord.Enabled(), cfg.HTTP.APIToken)
	}
}

// The contract of `intake check`: a misspelt key, a bad duration and a
// dangling tier reference give exactly three positioned lines.
func TestThreeProblems(t *testing.T) {
	_, err := Load("testdata/three.yaml")
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("Load(%q) = %v, want Errors", "testdata/three.yaml", err)
	}
	want := []Error{
		{File: "testdata/three.yaml", Line: 5, Col: 3, Msg: `unknown key "api_tokn" (did you mean "api_token"?)`},
		{File: "testdata/three.yaml", Line: 14, Col: 19, Msg: `claim_within: invalid duration "15 minutes" (use Go syntax such as 90s, 15m or 1h30m)`},
		{File: "testdata/three.yaml", Line: 15, Col: 11, Msg: `next: unknown tier "L3" (tiers: L2)`},
	}
	if len(errs) != len(want) {
		t.Fatalf("Load(%q) = %d problems:\n%v\nwant %d", "testdata/three.yaml", len(errs), err, len(want))
	}
	for i := range want {
		if errs[i] != want[i] {
			t.Errorf("Load(%q)[%d] = %v, want %v", "testdata/three.yaml", i, errs[i], want[i])
		}
	}
	if lines := strings.Split(err.Error(), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[0], "testdata/three.yaml:5:3: ") {
		t.Errorf("Load(%q).Error() = %q, want three FILE:LINE:COL: lines", "testdata/three.yaml", err.Error())
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load("testdata/does-not-exist.yaml")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want fs.ErrNotExist", err)
	}
}

func TestMinimalDefaults(t *testing.T) {
	cfg, err := Load("testdata/minimal.yaml")
	if err != nil {
		t.Fatalf("Load(minimal) = %v", err)
	}
	dir, _ := filepath.Abs("testdata")
	tests := []struct {
		name      string
		got, want any
	}{
		{"store", cfg.Store.String(), "bolt:" + filepath.Join(dir, "data", "intake.db")},
		{"listen", cfg.HTTP.Listen, DefaultHTTPListen},
		{"log", cfg.Log.Level + "/" + cfg.Log.Format, "info/text"},
		{"always open", cfg.BusinessHours.Open(time.Date(2026, 12, 25, 3, 0, 0, 0, time.UTC)), true},
		{"email off", cfg.Channels.Email.Enabled(), false},
		{"languages", strings.Join(cfg.Triage.Languages, ","), "es,en"},
		{"details", strings.Join(cfg.Triage.DetailsFor("x"), ","), "description"},
		{"threshold", cfg.Triage.Threshold, 0.5},
		{"kb off", cfg.Triage.KnowledgeBase, ""},
		{"tier name", cfg.Tiers[0].Name.In("en"), "L2"},
		{"on-call off", cfg.OnCall.Enabled(), false},
		{"claim", cfg.Tiers[0].ClaimWithin, DefaultClaimWithin},
		{"clock", cfg.Tiers[0].Clock, ClockBusiness},
		{"steps", len(cfg.Tiers[0].Steps), 1},
		{"major incidents off", cfg.MajorIncidents.Enabled(), false},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("Load(minimal) %s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestRelativePaths(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "articles"), 0o755); err != nil {
		t.Fatal(err)
	}
	abs := filepath.Join(t.TempDir(), "abs.db")
	tests := []struct {
		name, yaml string
		get        func(*Config) string
		want       string
	}{
		{"bolt", "store: bolt:state/intake.db", func(c *Config) string { return c.Store.Path }, filepath.Join(dir, "state", "intake.db")},
		{"bolt absolute", "store: bolt:" + abs, func(c *Config) string { return c.Store.Path }, abs},
		{"outbox", "channels: {email: {address: a@example.com, outbox_dir: out/}}", func(c *Config) string { return c.Channels.Email.OutboxDir }, filepath.Join(dir, "out")},
		{"kb", "triage: {knowledge_base: articles}", func(c *Config) string { return c.Triage.KnowledgeBase }, filepath.Join(dir, "articles")},
		{"drafts", "triage: {knowledge_base: articles}", func(c *Config) string { return c.Triage.DraftsDir }, filepath.Join(dir, "articles", "drafts")},
		{"redis", "store: redis://127.0.0.1:6379/0", func(c *Config) string { return c.Store.URL }, "redis://127.0.0.1:6379/0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "intake.yaml")
			data := tt.yaml + "\ntiers: [{id: L2, slack_channel: C0L2}]\n"
			if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
			// Load through a relative path from another working directory.
			t.Chdir(filepath.Dir(dir))
			cfg, err := Load(filepath.Join(filepath.Base(dir), "intake.yaml"))
			if err != nil {
				t.Fatalf("Load(%q) = %v", tt.yaml, err)
			}
			if got := tt.get(cfg); got != tt.want {
				t.Errorf("Load(%q) = %q, want %q", tt.yaml, got, tt.want)
			}
		})
	}
}

func TestExpand(t *testing.T) {
	env := envOf(map[string]string{"HOST": "db", "EMPTY": ""})
	tests := []struct {
		name, in, want string
		problems       int
	}{
		{"plain", "no dollars", "no dollars", 0},
		{"set", "${HOST}:6379", "db:6379", 0},
		{"default unset", "${PORT:-6379}", "6379", 0},
		{"default empty", "${EMPTY:-x}", "x", 0},
		{"default ignored", "${HOST:-x}", "db", 0},
		{"dash keeps empty", "${EMPTY-x}", "", 0},
		{"dash unset", "${NOPE-x}", "x", 0},
		{"empty default", "${NOPE:-}", "", 0},
		{"escape", "cost$$5", "cost$5", 0},
		{"escaped brace", "$${HOST}", "${HOST}", 0},
		{"lone dollar", "pa$word$", "pa$word$", 0},
		{"missing", "${NOPE}", "", 1},
		{"two missing", "${A}${B}", "", 2},
		{"unterminated", "${HOST", "${HOST", 1},
		{"bad name", "${1X}", "", 1},
	}
	for _, tt := range tests {
		got, probs := expand(tt.in, env)
		if got != tt.want || len(probs) != tt.problems {
			t.Errorf("%s: expand(%q) = %q, %q; want %q with %d problems", tt.name, tt.in, got, probs, tt.want, tt.problems)
		}
	}
}

func TestParseEnv(t *testing.T) {
	cfg, err := Parse("testdata/env-ok.yaml", []byte(`
http: {listen: "${HOST:-127.0.0.1}:${PORT}", api_token: "${TOKEN:-}"}
channels:
  slack: {bot_token: "${BOT}", signing_secret: "a$$b${BOT}", agents: [U1]}
tiers: [{id: L2, slack_channel: C0L2, claim_within: "${CLAIM:-20m}"}]
`), envOf(map[string]string{"PORT": "9000", "BOT": "xoxb-9"}))
	if err != nil {
		t.Fatalf("Parse(env) = %v", err)
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"listen", cfg.HTTP.Listen, "127.0.0.1:9000"},
		{"token", cfg.HTTP.APIToken, ""},
		{"secret", cfg.Channels.Slack.SigningSecret, "a$bxoxb-9"},
		{"claim", cfg.Tiers[0].ClaimWithin, 20 * time.Minute},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("Parse(env) %s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestSize(t *testing.T) {
	tests := []struct {
		in   string
		want Size
		ok   bool
	}{
		{"25MB", 25 * MB, true},
		{"512KB", 512 * KB, true},
		{"1GB", GB, true},
		{"10 mb", 10 * MB, true},
		{"2MiB", 2 * MB, true},
		{"1000", 1000, true},
		{"0", 0, false},
		{"-1MB", 0, false},
		{"25MBs", 0, false},
		{"1.5MB", 0, false},
		{"MB", 0, false},
		{"99999999999999999GB", 0, false},
	}
	for _, tt := range tests {
		var z Size
		err := z.parseScalar(tt.in)
		if (err == nil) != tt.ok || (tt.ok && z != tt.want) {
			t.Errorf("Size(%q) = %v, %v; want %v, ok %v", tt.in, z, err, tt.want, tt.ok)
		}
	}
}

func TestClock(t *testing.T) {
	tests := []struct {
		in   string
		want Clock
		ok   bool
	}{
		{"08:00", 8 * 60, true},
		{"23:59", 23*60 + 59, true},
		{"24:00", 24 * 60, true},
		{"00:00", 0, true},
		{"8:00", 0, false},
		{"24:01", 0, false},
		{"12:60", 0, false},
		{"+1:00", 0, false},
		{"ab:cd", 0, false},
	}
	for _, tt := range tests {
		var c Clock
		err := c.parseScalar(tt.in)
		if (err == nil) != tt.ok || (tt.ok && c != tt.want) {
			t.Errorf("Clock(%q) = %v, %v; want %v, ok %v", tt.in, c, err, tt.want, tt.ok)
		}
	}
}

func TestStore(t *testing.T) {
	tests := []struct {
		in   string
		kind StoreKind
		ok   bool
	}{
		{"bolt:data/intake.db", StoreBolt, true},
		{"bolt:/var/lib/intake.db", StoreBolt, true},
		{"redis://127.0.0.1:6379/0", StoreRedis, true},
		{"rediss://user:pw@redis.example.com:6380", StoreRedis, true},
		{"bolt:", "", false},
		{"redis://", "", false},
		{"redis://host:99999/0", "", false},
		{"redis://host/x", "", false},
		{"sqlite:x.db", "", false},
	}
	for _, tt := range tests {
		var s Store
		err := s.parseScalar(tt.in)
		if (err == nil) != tt.ok || s.Kind != tt.kind {
			t.Errorf("Store(%q) = %v, %v; want %v, ok %v", tt.in, s.Kind, err, tt.kind, tt.ok)
		}
	}
}

func TestSuggest(t *testing.T) {
	known := []string{"timeout", "claim_within", "resolve_within", "next", "knowledge_base"}
	tests := []struct{ in, want string }{
		{"tmeout", "timeout"},
		{"timeuot", "timeout"},
		{"claim_with", "claim_within"},
		{"resolve_whitin", "resolve_within"},
		{"nxt", "next"},
		{"knowledge", "knowledge_base"},
		{"frobnicate", ""},
		{"x", ""},
	}
	for _, tt := range tests {
		if got := suggest(tt.in, known); got != tt.want {
			t.Errorf("suggest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestBusinessHoursOpen(t *testing.T) {
	data := []byte(`
business_hours: {timezone: America/Mexico_City, from: "08:00", to: "18:00", holidays: ["2026-12-25"]}
tiers: [{id: L2, slack_channel: C0L2}]
`)
	cfg, err := Parse("hours.yaml", data, nil)
	if err != nil {
		t.Fatal(err)
	}
	mx := cfg.BusinessHours.Location
	tests := []struct {
		name string
		at   time.Time
		want bool
	}{
		{"tuesday morning", time.Date(2026, 12, 1, 9, 0, 0, 0, mx), true},
		{"opening minute", time.Date(2026, 12, 1, 8, 0, 0, 0, mx), true},
		{"closing minute", time.Date(2026, 12, 1, 18, 0, 0, 0, mx), false},
		{"before opening", time.Date(2026, 12, 1, 7, 59, 0, 0, mx), false},
		{"saturday", time.Date(2026, 12, 5, 10, 0, 0, 0, mx), false},
		{"holiday", time.Date(2026, 12, 25, 10, 0, 0, 0, mx), false},
		{"UTC instant in hours", time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC), true},
		{"UTC instant after hours", time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC), false},
	}
	for _, tt := range tests {
		if got := cfg.BusinessHours.Open(tt.at); got != tt.want {
			t.Errorf("%s: Open(%v) = %v, want %v", tt.name, tt.at, got, tt.want)
		}
	}
}

func TestIsVIP(t *testing.T) {
	v := VIP{Emails: []string{"CEO@corp.example"}, Domains: []string{"bigcorp.example"}, SlackUsers: []string{"U1"}, DiscordUsers: []string{"42"}}
	tests := []struct {
		c    intake.Customer
		want bool
	}{
		{intake.Customer{Channel: intake.ChannelEmail, ID: "ceo@corp.example"}, true},
		{intake.Customer{Channel: intake.ChannelEmail, ID: "ana@BigCorp.example"}, true},
		{intake.Customer{Channel: intake.ChannelEmail, ID: "ana@mx.bigcorp.example"}, true},
		{intake.Customer{Channel: intake.ChannelEmail, ID: "ana@notbigcorp.example"}, false},
		{intake.Customer{Channel: intake.ChannelSlack, ID: "U1"}, true},
		{intake.Customer{Channel: intake.ChannelSlack, ID: "42"}, false},
		{intake.Customer{Channel: intake.ChannelDiscord, ID: "42"}, true},
	}
	for _, tt := range tests {
		if got := v.IsVIP(tt.c); got != tt.want {
			t.Errorf("IsVIP(%v) = %v, want %v", tt.c, got, tt.want)
		}
	}
}

// Aliases that expand to an enormous tree are refused, not expanded (the
// bound is generous: it catches an expansion that runs away, not a slow machine).
func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("x-k: &k [" + strings.Repeat("vpn, ", 2000) + "vpn]\n")
	b.WriteString("x-r: &r {name: r, tier: L2, when: {keywords: *k}}\n")
	b.WriteString("tiers: [{id: L2, slack_channel: C0L2}]\n")
	b.WriteString("routing: [*r" + strings.Repeat(", *r", 2000) + "]\n")
	start := time.Now()
	_, err := Parse("bomb.yaml", []byte(b.String()), nil)
	if err == nil || !strings.Contains(err.Error(), "expands to more than") || time.Since(start) > time.Minute {
		t.Errorf("Parse(bomb) = %.200v after %v, want a size error, quickly", err, time.Since(start))
	}
}
