package slack

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	slackapi "github.com/slack-go/slack"
)

// agents decides who may act on cards: the configured user IDs, and the
// members of the configured user groups, resolved with
// usergroups.users.list and trusted for a refresh interval.
type agents struct {
	users   map[string]bool
	groups  []string
	api     *slackapi.Client
	now     func() time.Time
	refresh time.Duration
	log     *slog.Logger

	mu      sync.Mutex
	members map[string]bool
	loaded  time.Time
}

func newAgents(ids []string, api *slackapi.Client, now func() time.Time, refresh time.Duration, log *slog.Logger) *agents {
	a := &agents{users: map[string]bool{}, api: api, now: now, refresh: refresh, log: log}
	for _, id := range ids {
		id = strings.TrimSpace(id)
		switch {
		case id == "":
		case strings.HasPrefix(id, "S"):
			a.groups = append(a.groups, id)
		default:
			a.users[id] = true
		}
	}
	return a
}

// is reports whether user is an agent. Group members are refreshed when the
// cache is stale; when Slack cannot be asked, the last known members count.
func (a *agents) is(ctx context.Context, user string) bool {
	if user == "" {
		return false
	}
	if a.users[user] {
		return true
	}
	if len(a.groups) == 0 {
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.members == nil || a.now().Sub(a.loaded) >= a.refresh {
		a.load(ctx)
	}
	return a.members[user]
}

// load resolves the groups; a.mu is held. A failed group keeps its old
// members by keeping the old set whole.
func (a *agents) load(ctx context.Context) {
	members := map[string]bool{}
	failed := false
	for _, g := range a.groups {
		ids, err := a.api.GetUserGroupMembersContext(ctx, g)
		if err != nil {
			a.log.Warn("resolve agent user group", "group", g, "err", err)
			if a.members != nil {
				// Retry on the next check after a short pause, not at once.
				a.loaded = a.now().Add(-a.refresh + 30*time.Second)
				return
			}
			failed = true
			continue
		}
		for _, id := range ids {
			members[id] = true
		}
	}
	a.members = members
	a.loaded = a.now()
	if failed {
		a.loaded = a.loaded.Add(-a.refresh + 30*time.Second)
	}
}
