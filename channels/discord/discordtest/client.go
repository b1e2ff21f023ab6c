package discordtest

import (
	"net/http"
	"net/url"
)

// Client returns an HTTP client that sends every request for discord.com to
// the server, for code that uses discordgo's built-in endpoints.
func (s *Server) Client() *http.Client {
	u, err := url.Parse(s.http.URL)
	if err != nil {
		s.t.Fatalf("discordtest: parse %q: %v", s.http.URL, err)
	}
	return &http.Client{Transport: rewrite{to: u, base: http.DefaultTransport}}
}

// rewrite redirects requests for discord.com to another host.
type rewrite struct {
	to   *url.URL
	base http.RoundTripper
}

func (t rewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host != "discord.com" {
		return t.base.RoundTrip(r)
	}
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host, r.Host = t.to.Scheme, t.to.Host, ""
	return t.base.RoundTrip(r)
}
