package config

import (
	"fmt"
	"strings"
)

func validateEmail(c *Config, d *decoder) {
	const p = "channels.email"
	e := &c.Channels.Email
	if !e.Enabled() {
		if e.IMAP.Enabled() || e.SMTPListen.Enabled() {
			d.required(p+".address", " when imap or smtp_listen is set: the support address customers write to")
		}
		return
	}
	d.check(p+".address", checkEmail(e.Address))
	if i := e.IMAP; i.Enabled() {
		d.check(p+".imap.addr", checkHostPort(i.Addr, false))
		d.check(p+".imap.tls", oneOf(i.TLS, TLSImplicit, TLSStartTLS, TLSNone))
		if i.Username == "" {
			d.required(p+".imap.username", " when imap.addr is set")
		}
		if i.Password == "" && !d.present(p+".imap.oauth2") {
			d.required(p+".imap.password", " when imap.addr is set (such as ${IMAP_PASSWORD})")
		}
		validateOAuth2(i.OAuth2, p+".imap.oauth2", i.Addr, i.TLS, i.Password, d)
		for _, k := range []struct{ key, box string }{{"done_mailbox", i.DoneMailbox}, {"failed_mailbox", i.FailedMailbox}} {
			if k.box != "" && k.box == i.Mailbox {
				d.failPath(p+".imap."+k.key, fmt.Sprintf("must differ from mailbox (%s)", i.Mailbox))
			}
		}
	}
	if s := e.SMTPListen; s.Enabled() {
		d.check(p+".smtp_listen.addr", checkHostPort(s.Addr, true))
		for i, dom := range s.Domains {
			d.check(fmt.Sprintf("%s.smtp_listen.domains[%d]", p, i), checkHostname(dom))
		}
		if s.MaxConnections < 1 {
			d.failPath(p+".smtp_listen.max_connections", fmt.Sprintf("must be at least 1, got %d", s.MaxConnections))
		}
		if s.MaxConnectionsPerIP < 1 || s.MaxConnectionsPerIP > s.MaxConnections {
			d.failPath(p+".smtp_listen.max_connections_per_ip", fmt.Sprintf("must be from 1 to max_connections (%d), got %d", s.MaxConnections, s.MaxConnectionsPerIP))
		}
		if s.SessionTimeout < s.IdleTimeout {
			d.failPath(p+".smtp_listen.session_timeout", "must be at least idle_timeout")
		}
	}
	if e.SMTPListen.SpoolDir != "" {
		e.SMTPListen.SpoolDir = c.resolvePath(e.SMTPListen.SpoolDir)
	}
	if s := e.SMTPOut; s.Enabled() {
		d.check(p+".smtp_out.addr", checkHostPort(s.Addr, false))
		d.check(p+".smtp_out.tls", oneOf(s.TLS, TLSImplicit, TLSStartTLS, TLSNone))
		if s.Password != "" && s.Username == "" {
			d.required(p+".smtp_out.username", " when smtp_out.password is set")
		}
		if s.Username == "" && d.present(p+".smtp_out.oauth2") {
			d.required(p+".smtp_out.username", " with oauth2: the mailbox the token is for")
		}
		validateOAuth2(s.OAuth2, p+".smtp_out.oauth2", s.Addr, s.TLS, s.Password, d)
	}
	switch {
	case e.SMTPOut.Enabled() && e.OutboxDir != "":
		d.failPath(p+".outbox_dir", "set either smtp_out or outbox_dir, not both")
	case !e.SMTPOut.Enabled() && e.OutboxDir == "":
		d.failPath(p, "replies need smtp_out (a relay) or outbox_dir (a folder for .eml files)")
	}
	e.OutboxDir = c.resolvePath(e.OutboxDir)
	if e.MaxAttachment > e.MaxSize {
		d.failPath(p+".max_attachment", fmt.Sprintf("%s is larger than max_size (%s)", e.MaxAttachment, e.MaxSize))
	}
	if e.RateLimit.Messages < 1 {
		d.failPath(p+".rate_limit.messages", fmt.Sprintf("must be at least 1, got %d", e.RateLimit.Messages))
	}
}

func validateSlack(s *Slack, d *decoder) {
	const p = "channels.slack"
	if s.APIURL != "" {
		if err := checkURL(s.APIURL, "https", "http"); err != nil {
			d.failPath(p+".api_url", err.Error())
		} else if !strings.HasSuffix(s.APIURL, "/") {
			// slack-go appends method names to the URL as it is.
			s.APIURL += "/"
		}
	}
	if !s.Enabled() {
		return
	}
	if s.AppToken == "" && s.SigningSecret == "" {
		d.failPath(p, "set app_token (Socket Mode) or signing_secret (HTTP mode) with bot_token")
	}
	if len(s.Agents) == 0 {
		d.required(p+".agents", ": nobody could act on incident cards (list user group or user IDs)")
	}
	for i, a := range s.Agents {
		if a == "" {
			d.failPath(fmt.Sprintf("%s.agents[%d]", p, i), "empty agent ID")
		}
	}
	for i, ch := range s.IntakeChannels {
		if ch == "" {
			d.failPath(fmt.Sprintf("%s.intake_channels[%d]", p, i), "empty channel ID")
		}
	}
	if strings.TrimSpace(s.NotePrefix) == "" {
		d.failPath(p+".note_prefix", "must not be blank")
	}
}

func validateDiscord(dc *Discord, d *decoder) {
	const p = "channels.discord"
	if dc.APIURL != "" {
		d.check(p+".api_url", checkURL(dc.APIURL, "https", "http"))
	}
	if dc.GatewayURL != "" {
		d.check(p+".gateway_url", checkURL(dc.GatewayURL, "wss", "ws"))
	}
	for i, id := range dc.IntakeChannels {
		d.check(fmt.Sprintf("%s.intake_channels[%d]", p, i), checkSnowflake(id))
	}
}
