package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/intake-support/intake/channels/discord/discordtest"
	"github.com/intake-support/intake/channels/slack/slackfake"
	"go.yaml.in/yaml/v3"
)

// chatConfig is the example configuration with Slack (HTTP mode) and
// Discord pointed at their test doubles, and the environment that switches
// them on. broken: the Slack token lacks users:read and the Discord bot has
// no Message Content intent.
func chatConfig(t *testing.T, broken bool) (string, []string) {
	t.Helper()
	cfg := exampleConfig(t)
	replaceSMTPPort(t, cfg)
	sl := slackfake.New(t)
	scopes := []string{"channels:history", "groups:history", "im:history", "chat:write", "usergroups:read", "users:read"}
	var opts []discordtest.Option
	if broken {
		scopes = scopes[:len(scopes)-1]
		opts = append(opts, discordtest.WithoutPrivilegedIntents())
	}
	sl.SetScopes(scopes...)
	dc := discordtest.New(t, opts...)
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.Replace(data, []byte(`api_url: ""`), []byte(`api_url: "`+sl.APIURL()+`"`), 1)
	data = bytes.Replace(data, []byte(`api_url: ""`), []byte(`api_url: "`+dc.URL()+`"`), 1)
	if err := os.WriteFile(cfg, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg, []string{"SLACK_BOT_TOKEN=xoxb-test", "SLACK_SIGNING_SECRET=secret", "SLACK_APP_TOKEN=", "DISCORD_BOT_TOKEN=test-token"}
}

// chatGateway runs serve on chatConfig's broken set-up and waits until the
// Discord rejection is logged.
func chatGateway(t *testing.T) *gateway {
	t.Helper()
	cfg, env := chatConfig(t, true)
	g := startServe(t, cfg, env...)
	g.waitReady(t)
	if !waitLog(g.logs, "Message Content Intent", 1, 20*time.Second) {
		t.Fatalf("log never named the Message Content Intent; logs:\n%s", g.logs.String())
	}
	return g
}

func TestCheckOnlineNamesMissingScopesAndIntents(t *testing.T) {
	for _, tc := range []struct {
		name   string
		broken bool
		code   int
		want   []string
	}{
		{"complete set-up", false, 0, []string{": ok"}},
		{"missing scope and intent", true, 1, []string{"slack: the bot token lacks the scopes users:read", "discord: the bot's Message Content intent is off"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, env := chatConfig(t, tc.broken)
			cmd := exec.Command(binary, "check", "-online", "-config", cfg)
			cmd.Env = append(os.Environ(), env...)
			out, _ := cmd.CombinedOutput()
			if code := cmd.ProcessState.ExitCode(); code != tc.code {
				t.Errorf("intake check -online exit = %d, want %d; output:\n%s", code, tc.code, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("intake check -online output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestServeNamesChatSetupProblems: a Discord bot refused the Message Content
// intent and a Slack token without a scope stop nothing else; /readyz stays
// 200 and names both, and the log says what to switch on.
func TestServeNamesChatSetupProblems(t *testing.T) {
	g := chatGateway(t)
	code, body := httpGet(t, "http://"+g.addr+"/readyz")
	for _, want := range []string{"warning: discord: ", "4014", "warning: slack: ", "users:read"} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("GET /readyz = %d %q, want 200 naming %q", code, body, want)
		}
	}
	g.stop(t)
}

// TestDocsReferenceOnlyExportedMetrics scrapes /metrics of a running gateway
// and checks every intake_* name in docs/alerts.yaml and
// docs/grafana-dashboard.json is among them.
func TestDocsReferenceOnlyExportedMetrics(t *testing.T) {
	g := chatGateway(t)
	// The adapters connect (Slack) and are refused (Discord) a moment after
	// start: scrape until both say so, within a generous bound.
	var scrape string
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		_, scrape = httpGet(t, "http://"+g.addr+"/metrics")
		settled := strings.Contains(scrape, `intake_adapter_connected{channel="slack"} 1`) &&
			strings.Contains(scrape, `intake_adapter_setup_problem{channel="discord"} 1`)
		if settled || time.Now().After(deadline) {
			break
		}
	}
	exported := map[string]bool{}
	for _, line := range strings.Split(scrape, "\n") {
		if name, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, _, _ = strings.Cut(name, " ")
			exported[name] = true
		}
	}
	for _, want := range []string{"intake_escalations_total", "intake_sla_breaches_total", "intake_queue_depth",
		"intake_config_reload_failures_total", "intake_adapter_connected", "intake_adapter_setup_problem",
		"intake_triage_decision_duration_seconds"} {
		if !exported[want] {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	for _, line := range []string{`intake_adapter_connected{channel="slack"} 1`, `intake_adapter_setup_problem{channel="discord"} 1`,
		`intake_queue_depth{queue="inbox.dead"} 0`, `intake_sla_breaches_total{clock="claim",tier="L2"} 0`} {
		if !strings.Contains(scrape, line) {
			t.Errorf("/metrics lacks the line %s", line)
		}
	}
	g.stop(t)

	alerts, err := os.ReadFile("../../docs/alerts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert string `yaml:"alert"`
				Expr  string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(alerts, &rules); err != nil {
		t.Fatalf("parse docs/alerts.yaml: %v", err)
	}
	var exprs []string
	var alertNames []string
	for _, gr := range rules.Groups {
		for _, r := range gr.Rules {
			exprs = append(exprs, r.Expr)
			alertNames = append(alertNames, r.Alert)
		}
	}
	for _, want := range []string{"IntakeSLABreached", "IntakeDeadLetters", "IntakeAdapterDown", "IntakeRedisNotDurable"} {
		if !slices.Contains(alertNames, want) {
			t.Errorf("docs/alerts.yaml lacks the alert %s", want)
		}
	}
	dash, err := os.ReadFile("../../docs/grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Targets []struct{ Expr string } `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(dash, &d); err != nil {
		t.Fatalf("parse docs/grafana-dashboard.json: %v", err)
	}
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	name := regexp.MustCompile(`\bintake_[a-z_]+`)
	seen := 0
	for _, e := range exprs {
		for _, n := range name.FindAllString(e, -1) {
			seen++
			base := n
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				if b, ok := strings.CutSuffix(n, suffix); ok && exported[b] {
					base = b
				}
			}
			if !exported[base] {
				t.Errorf("docs reference %s in %q, which /metrics does not export", n, e)
			}
		}
	}
	if seen == 0 {
		t.Fatalf("no intake_ metric found in the docs: the scan is broken")
	}
}
