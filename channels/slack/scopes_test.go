package slack

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	slackapi "github.com/slack-go/slack"
	"go.yaml.in/yaml/v3"
)

// webAPIMethod maps the slack-go Client methods this package may call to
// the Web API method each sends. A call to a Client method missing here
// fails TestEveryWebAPICallHasItsScope: add it here and its scopes to
// methodScopes and both manifests.
var webAPIMethod = map[string]string{
	"AuthTestContext":            "auth.test",
	"PostMessageContext":         "chat.postMessage",
	"UpdateMessageContext":       "chat.update",
	"PostEphemeralContext":       "chat.postEphemeral",
	"OpenViewContext":            "views.open",
	"GetUserInfoContext":         "users.info",
	"GetUserGroupMembersContext": "usergroups.users.list",
}

// clientCalls returns the slack-go Client methods called in this package's
// non-test files, found by name among the Client's method set.
func clientCalls(t *testing.T) []string {
	t.Helper()
	client := reflect.TypeOf(&slackapi.Client{})
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	set := map[string]bool{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if _, ok := client.MethodByName(sel.Sel.Name); ok && sel.Sel.Name != "Debug" && sel.Sel.Name != "Debugf" && sel.Sel.Name != "Debugln" {
				set[sel.Sel.Name] = true
			}
			return true
		})
	}
	return slices.Sorted(func(yield func(string) bool) {
		for k := range set {
			if !yield(k) {
				return
			}
		}
	})
}

func TestEveryWebAPICallHasItsScope(t *testing.T) {
	calls := clientCalls(t)
	if len(calls) < len(webAPIMethod) {
		t.Errorf("found calls %v, fewer than the %d known: the scan is broken", calls, len(webAPIMethod))
	}
	for _, c := range calls {
		m, ok := webAPIMethod[c]
		if !ok {
			t.Errorf("the code calls Client.%s: add its Web API method to webAPIMethod, its scopes to methodScopes and docs/slack-manifest*.yaml", c)
			continue
		}
		if _, ok := methodScopes[m]; !ok {
			t.Errorf("the code calls %s (Client.%s) but methodScopes does not list its scopes", m, c)
		}
	}
}

// manifest is the part of a Slack app manifest that grants access.
type manifest struct {
	OAuthConfig struct {
		Scopes struct {
			Bot []string `yaml:"bot"`
		} `yaml:"scopes"`
	} `yaml:"oauth_config"`
	Settings struct {
		EventSubscriptions struct {
			RequestURL string   `yaml:"request_url"`
			BotEvents  []string `yaml:"bot_events"`
		} `yaml:"event_subscriptions"`
		Interactivity struct {
			IsEnabled  bool   `yaml:"is_enabled"`
			RequestURL string `yaml:"request_url"`
		} `yaml:"interactivity"`
		SocketMode bool `yaml:"socket_mode_enabled"`
	} `yaml:"settings"`
}

func TestManifestsGrantExactlyWhatTheCodeNeeds(t *testing.T) {
	wantEvents := slices.Sorted(func(yield func(string) bool) {
		for e := range eventScopes {
			if !yield(e) {
				return
			}
		}
	})
	for _, tc := range []struct {
		file       string
		socketMode bool
	}{
		{"slack-manifest.yaml", true},
		{"slack-manifest-http.yaml", false},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("..", "..", "docs", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			var m manifest
			if err := yaml.Unmarshal(data, &m); err != nil {
				t.Fatalf("parse %s: %v", tc.file, err)
			}
			if got, want := slices.Sorted(slices.Values(m.OAuthConfig.Scopes.Bot)), RequiredScopes(); !slices.Equal(got, want) {
				t.Errorf("%s bot scopes = %v, want %v", tc.file, got, want)
			}
			if got := slices.Sorted(slices.Values(m.Settings.EventSubscriptions.BotEvents)); !slices.Equal(got, wantEvents) {
				t.Errorf("%s bot events = %v, want %v", tc.file, got, wantEvents)
			}
			if !m.Settings.Interactivity.IsEnabled {
				t.Errorf("%s: interactivity is off, want on (card buttons)", tc.file)
			}
			if m.Settings.SocketMode != tc.socketMode {
				t.Errorf("%s socket_mode_enabled = %v, want %v", tc.file, m.Settings.SocketMode, tc.socketMode)
			}
			urls := map[string]string{"/slack/events": m.Settings.EventSubscriptions.RequestURL, "/slack/interactions": m.Settings.Interactivity.RequestURL}
			for path, u := range urls {
				if tc.socketMode && u != "" {
					t.Errorf("%s: request URL %q set in Socket Mode", tc.file, u)
				}
				if !tc.socketMode && !strings.HasSuffix(u, path) {
					t.Errorf("%s: request URL %q, want one ending in %s (Handlers)", tc.file, u, path)
				}
			}
		})
	}
}

func TestStartNamesMissingScopes(t *testing.T) {
	all := RequiredScopes()
	tests := []struct {
		name    string
		granted []string // nil: auth.test sends no X-OAuth-Scopes
		missing []string
	}{
		{"no header", nil, nil},
		{"all granted", all, nil},
		{"more than needed", append([]string{"channels:read"}, all...), nil},
		{"users:read missing", slices.DeleteFunc(slices.Clone(all), func(s string) bool { return s == "users:read" }), []string{"users:read"}},
		{"none", []string{}, all},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeSlack(t)
			if tc.granted != nil {
				f.SetScopes(tc.granted...)
			}
			a, _ := running(t, testConfig(f))
			err := a.SetupProblem()
			if len(tc.missing) == 0 {
				if err != nil {
					t.Errorf("SetupProblem() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), strings.Join(tc.missing, ", ")) {
				t.Errorf("SetupProblem() = %v, want one naming %v", err, tc.missing)
			}
			if !a.Connected() {
				t.Errorf("Connected() = false after auth.test answered in HTTP mode, want true")
			}
		})
	}
}
