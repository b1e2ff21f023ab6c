package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"

	"github.com/intake-support/intake/internal/redact"
)

// iso6391 lists the ISO 639-1 language codes.
const iso6391 = " aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy" +
	" da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz" +
	" ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo" +
	" lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps" +
	" pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn" +
	" to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu "

func checkLanguage(s string) error {
	if len(s) != 2 || !strings.Contains(iso6391, " "+s+" ") {
		return fmt.Errorf("%q is not an ISO 639-1 language code (such as es, en, pt)", s)
	}
	return nil
}

// checkHostPort accepts HOST:PORT; listen addresses may leave the host
// empty (all interfaces) and use port 0 (any free port).
func checkHostPort(s string, listen bool) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("invalid address %q (write HOST:PORT, such as 127.0.0.1:2525)", s)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 || (n == 0 && !listen) {
		return fmt.Errorf("invalid port in %q", s)
	}
	if host == "" && !listen {
		return fmt.Errorf("address %q has no host", s)
	}
	if host != "" && net.ParseIP(host) == nil && checkHostname(host) != nil {
		return fmt.Errorf("invalid host in %q", s)
	}
	return nil
}

// checkHostname accepts a DNS name such as mail.example.com.
func checkHostname(s string) error {
	bad := fmt.Errorf("%q is not a valid domain name", s)
	if s == "" || len(s) > 253 {
		return bad
	}
	for _, label := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return bad
		}
		for _, c := range label {
			if !(c == '-' || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
				return bad
			}
		}
	}
	return nil
}

// checkEmail accepts a bare address such as soporte@example.com.
func checkEmail(s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return fmt.Errorf("%q is not an email address such as soporte@example.com", s)
	}
	_, domain, _ := strings.Cut(s, "@")
	return checkHostname(domain)
}

func checkURL(s string, schemes ...string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not a URL such as %s://127.0.0.1:9000/", redact.URL(s), schemes[0])
	}
	for _, sc := range schemes {
		if u.Scheme == sc {
			return nil
		}
	}
	return fmt.Errorf("URL %q must use %s", redact.URL(s), strings.Join(schemes, " or "))
}

// checkIdent accepts names such as categories and details: lowercase
// letters, digits, - and _.
func checkIdent(what, s string) error {
	if s == "" {
		return fmt.Errorf("empty %s", what)
	}
	for _, c := range s {
		if !(c == '-' || c == '_' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			return fmt.Errorf("%s %q may only use lowercase letters, digits, - and _", what, s)
		}
	}
	return nil
}

func checkTierID(s string) error {
	for _, c := range s {
		if !(c == '-' || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
			return fmt.Errorf("tier id %q may only use letters, digits, - and _", s)
		}
	}
	return nil
}

func checkSnowflake(s string) error {
	if s == "" || len(s) > 20 {
		return fmt.Errorf("%q is not a Discord ID (digits, such as 1234567890)", s)
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return fmt.Errorf("%q is not a Discord ID (digits, such as 1234567890)", s)
		}
	}
	return nil
}

func checkUnit(v float64) error {
	if v < 0 || v > 1 {
		return fmt.Errorf("must be between 0 and 1, got %v", v)
	}
	return nil
}

func oneOf(v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return fmt.Errorf("%s", unknownMsg("value", v, allowed))
}
