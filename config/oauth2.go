package config

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// The OAuth2 providers of a mail connection.
const (
	ProviderMicrosoft = "microsoft"
	ProviderGoogle    = "google"
	ProviderGeneric   = "generic"
)

// The SASL mechanisms that carry an OAuth2 access token.
const (
	MechXOAUTH2     = "xoauth2"
	MechOAuthBearer = "oauthbearer"
)

// The token endpoints and scopes filled in for a provider when the file
// leaves them out; REFERENCE.md lists them.
const (
	MicrosoftTokenURL = "https://login.microsoftonline.com/%s/oauth2/v2.0/token"
	MicrosoftScope    = "https://outlook.office365.com/.default"
	GoogleTokenURL    = "https://oauth2.googleapis.com/token"
	GoogleScope       = "https://mail.google.com/"
)

// OAuth2 authenticates a mail connection (IMAP or smtp_out) with an access
// token instead of a password; off when Provider is empty. With
// RefreshToken the token comes from the refresh-token grant, without it
// from the client-credentials grant.
type OAuth2 struct {
	// Provider is microsoft, google or generic.
	Provider string `yaml:"provider"`
	// TokenURL is the token endpoint; microsoft derives it from Tenant.
	TokenURL string `yaml:"token_url"`
	// Tenant is the Microsoft Entra tenant ID or domain.
	Tenant       string   `yaml:"tenant"`
	ClientID     string   `yaml:"client_id"`
	ClientSecret string   `yaml:"client_secret"`
	RefreshToken string   `yaml:"refresh_token"`
	Scopes       []string `yaml:"scopes"`
	// Mechanism is the SASL mechanism: xoauth2 or oauthbearer.
	Mechanism string `yaml:"mechanism"`
}

// Enabled reports whether the connection authenticates with OAuth2.
func (o OAuth2) Enabled() bool { return o.Provider != "" }

// oauth2Defaults fills the token endpoint, scopes and mechanism of a
// provider; an absent oauth2 mapping stays off.
func oauth2Defaults(o *OAuth2, path string, d *decoder) {
	if !d.present(path) {
		return
	}
	o.Mechanism = or(o.Mechanism, MechXOAUTH2)
	switch o.Provider {
	case ProviderMicrosoft:
		if o.TokenURL == "" && o.Tenant != "" && checkTenant(o.Tenant) == nil {
			o.TokenURL = fmt.Sprintf(MicrosoftTokenURL, o.Tenant)
		}
		if !d.present(path + ".scopes") {
			o.Scopes = []string{MicrosoftScope}
		}
	case ProviderGoogle:
		o.TokenURL = or(o.TokenURL, GoogleTokenURL)
		if !d.present(path + ".scopes") {
			o.Scopes = []string{GoogleScope}
		}
	}
}

// validateOAuth2 checks the oauth2 mapping at path (such as
// channels.email.imap.oauth2) of a connection to addr in TLS mode tls that
// also has password.
func validateOAuth2(o OAuth2, path, addr, tls, password string, d *decoder) {
	if !d.present(path) {
		return
	}
	parent := parentPath(path)
	if o.Provider == "" {
		d.required(path+".provider", ": microsoft, google or generic")
		return
	}
	d.check(path+".provider", oneOf(o.Provider, ProviderMicrosoft, ProviderGoogle, ProviderGeneric))
	d.check(path+".mechanism", oneOf(o.Mechanism, MechXOAUTH2, MechOAuthBearer))
	if password != "" {
		d.failPath(parent+".password", "set either password or oauth2, not both")
	}
	if host, _, err := net.SplitHostPort(addr); err == nil && tls == TLSNone && !isLoopback(host) {
		d.failPath(parent+".tls", "none would send the OAuth2 token in plain text; use implicit or starttls (none only to a loopback address)")
	}
	if o.ClientID == "" {
		d.required(path+".client_id", " with oauth2")
	}
	switch {
	case o.Provider == ProviderMicrosoft && o.Tenant != "":
		d.check(path+".tenant", checkTenant(o.Tenant))
	case o.Provider == ProviderMicrosoft && o.TokenURL == "":
		d.required(path+".tenant", " for provider microsoft (the directory (tenant) ID), unless token_url is set")
	case o.Provider == ProviderGeneric && o.TokenURL == "":
		d.required(path+".token_url", " for provider generic")
	}
	if o.TokenURL != "" && d.present(path+".token_url") {
		d.check(path+".token_url", checkTokenURL(o.TokenURL))
	}
	switch {
	case o.Provider == ProviderGoogle && o.RefreshToken == "":
		d.required(path+".refresh_token", " for provider google (Gmail has no client-credentials grant)")
	case o.Provider == ProviderGoogle && o.ClientSecret == "":
		d.required(path+".client_secret", " for provider google")
	case o.RefreshToken == "" && o.ClientSecret == "":
		d.required(path+".client_secret", " for the client-credentials grant (without refresh_token)")
	}
	for i, s := range o.Scopes {
		if strings.TrimSpace(s) == "" || strings.ContainsAny(s, " \t\r\n") {
			d.failPath(fmt.Sprintf("%s.scopes[%d]", path, i), "a scope is one word without spaces")
		}
	}
}

// checkTenant accepts a tenant ID (a GUID) or a domain name: the value is
// part of the token endpoint's path.
func checkTenant(s string) error {
	if checkHostname(s) != nil {
		return fmt.Errorf("%q is not a tenant ID or domain (such as contoso.onmicrosoft.com)", s)
	}
	return nil
}

// checkTokenURL wants https, or http on a loopback host (a local stand-in):
// the client secret must not cross a network in plain text.
func checkTokenURL(s string) error {
	if err := checkURL(s, "https", "http"); err != nil {
		return err
	}
	u, _ := url.Parse(s)
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return fmt.Errorf("URL %q must use https (http only on a loopback address)", s)
	}
	return nil
}

// isLoopback reports whether host is localhost or a loopback address.
func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}
