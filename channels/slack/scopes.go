package slack

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// methodScopes names the bot token scopes each Web API method the adapter
// calls needs. A test finds every call in this package and fails on a method
// missing here, and checks docs/slack-manifest*.yaml grant exactly these
// scopes and those of eventScopes.
var methodScopes = map[string][]string{
	"auth.test":             nil,
	"chat.postMessage":      {"chat:write"},
	"chat.update":           {"chat:write"},
	"chat.postEphemeral":    {"chat:write"},
	"views.open":            nil,
	"users.info":            {"users:read"},
	"usergroups.users.list": {"usergroups:read"},
}

// eventScopes names the bot events the adapter subscribes to and the scope
// each needs: messages in public and private channels (customers in intake
// channels, agents in card threads) and direct messages to the bot.
var eventScopes = map[string]string{
	"message.channels": "channels:history",
	"message.groups":   "groups:history",
	"message.im":       "im:history",
}

// RequiredScopes returns the bot token scopes intake needs, sorted.
func RequiredScopes() []string {
	set := map[string]bool{}
	for _, ss := range methodScopes {
		for _, s := range ss {
			set[s] = true
		}
	}
	for _, s := range eventScopes {
		set[s] = true
	}
	return slices.Sorted(maps.Keys(set))
}

// missingScopes compares the scopes auth.test reported granted (its
// X-OAuth-Scopes header, comma-separated) with RequiredScopes. It returns
// nil when the header is absent: then nothing can be known.
func missingScopes(h http.Header) []string {
	granted, ok := h[http.CanonicalHeaderKey("X-OAuth-Scopes")]
	if !ok {
		return nil
	}
	have := map[string]bool{}
	for _, g := range granted {
		for s := range strings.SplitSeq(g, ",") {
			have[strings.TrimSpace(s)] = true
		}
	}
	var missing []string
	for _, s := range RequiredScopes() {
		if !have[s] {
			missing = append(missing, s)
		}
	}
	return missing
}

// scopeError is the set-up problem of a bot token that lacks scopes.
func scopeError(missing []string) error {
	return fmt.Errorf("the bot token lacks the scopes %s: add them under OAuth & Permissions (or recreate the app from docs/slack-manifest.yaml) and reinstall the app to the workspace",
		strings.Join(missing, ", "))
}
