package discord

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// rewriteTransport points discordgo, whose endpoints are package globals
// fixed to https://discord.com, at the configured API and gateway.
type rewriteTransport struct {
	base    http.RoundTripper
	api     *url.URL // replaces https://discord.com when set
	gateway string   // answers GET /gateway when set
}

func (t *rewriteTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host != "discord.com" {
		return t.base.RoundTrip(r)
	}
	if t.gateway != "" && r.Method == http.MethodGet && isGatewayPath(r.URL.Path) {
		return t.gatewayAnswer(r)
	}
	if t.api == nil {
		return t.base.RoundTrip(r)
	}
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host, r.Host = t.api.Scheme, t.api.Host, ""
	r.URL.Path = strings.TrimSuffix(t.api.Path, "/") + r.URL.Path
	r.URL.RawPath = ""
	return t.base.RoundTrip(r)
}

func isGatewayPath(p string) bool {
	api := "/api/v" + discordgo.APIVersion + "/"
	return p == api+"gateway" || p == api+"gateway/bot"
}

// gatewayAnswer is what GET /gateway(/bot) would say, with the configured URL.
func (t *rewriteTransport) gatewayAnswer(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_ = r.Body.Close()
	}
	body, err := json.Marshal(map[string]any{
		"url":    t.gateway,
		"shards": 1,
		"session_start_limit": map[string]int{
			"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1,
		},
	})
	if err != nil {
		return nil, err
	}
	return &http.Response{
		Status:        "200 OK",
		StatusCode:    http.StatusOK,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       r,
	}, nil
}
