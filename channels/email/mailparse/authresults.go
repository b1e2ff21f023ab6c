package mailparse

import (
	"regexp"
	"strings"

	"github.com/emersion/go-message"
	"github.com/emersion/go-msgauth/authres"
)

// AuthResults are the verdicts of the receiving MTA from one
// Authentication-Results field (RFC 8601).
type AuthResults struct {
	// ServID is the authserv-id of the field the verdicts come from; empty
	// when the message had no trusted field.
	ServID string        `json:"authserv_id,omitempty"`
	DKIM   []AuthVerdict `json:"dkim,omitempty"`
	SPF    *AuthVerdict  `json:"spf,omitempty"`
	DMARC  *AuthVerdict  `json:"dmarc,omitempty"`
	// VerifiedBy names the check that verified the sender: "dmarc", "dkim"
	// or "spf"; empty when the sender is not verified.
	VerifiedBy string `json:"verified_by,omitempty"`
}

// AuthVerdict is one method's result and the domain it vouches for: the
// DKIM d= (or i=) domain, the SPF MAIL FROM domain, the DMARC From domain.
type AuthVerdict struct {
	Result string `json:"result"`
	Domain string `json:"domain,omitempty"`
}

// authResults reads the Authentication-Results field of h that is trusted:
// the top-most one written by trustedServID, or the top-most one when
// trustedServID is empty. Fields further down may have been written by the
// sender and are ignored. A clause authres cannot parse ends the field's
// verdicts: the sender can then only be less verified, never more.
func authResults(h message.Header, trustedServID string) AuthResults {
	for _, v := range h.Values("Authentication-Results") {
		servID, results, _ := authres.Parse(cleanAuthResults(v))
		servID = strings.ToLower(servID)
		if trustedServID != "" && !strings.EqualFold(servID, trustedServID) {
			continue
		}
		ar := AuthResults{ServID: servID}
		for _, r := range results {
			ar.add(r)
		}
		return ar
	}
	return AuthResults{}
}

var (
	// methodVersionRE matches a method with its version ("dkim/1="), which
	// authres would not know as the method.
	methodVersionRE = regexp.MustCompile(`(?i)(^|;)(\s*[a-z0-9-]+)/\d+\s*=`)
	// legacyMailRE matches smtp.mail=, which older Gmail writes for the SPF
	// MAIL FROM that RFC 8601 calls smtp.mailfrom.
	legacyMailRE = regexp.MustCompile(`(?i)\bsmtp\.mail=`)
)

// cleanAuthResults prepares a field for authres.Parse, which splits it at
// every semicolon and reads comments as text: comments go, semicolons in
// quoted strings (a reason) become commas, method versions and the legacy
// smtp.mail property take their plain forms, and the authserv-id is kept
// alone: authres refuses the field when anything but the version follows it,
// as older Yahoo MTAs wrote ("mta1007.mail.example.com from=x.example;").
func cleanAuthResults(v string) string {
	v = stripComments(v, " ")
	b := []byte(v)
	inQuote := false
	for i, c := range b {
		switch {
		case c == '"':
			inQuote = !inQuote
		case c == ';' && inQuote:
			b[i] = ','
		}
	}
	v = methodVersionRE.ReplaceAllString(string(b), "$1$2=")
	v = legacyMailRE.ReplaceAllString(v, "smtp.mailfrom=")
	if id, rest, ok := strings.Cut(v, ";"); ok {
		return firstWord(strings.TrimSpace(id)) + ";" + rest
	}
	return firstWord(strings.TrimSpace(v))
}

// stripComments removes RFC 5322 comments (nested parentheses outside
// quoted strings), putting repl where each was.
func stripComments(v string, repl string) string {
	var sb strings.Builder
	depth := 0
	inQuote := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '"' && depth == 0:
			inQuote = !inQuote
		case c == '(' && !inQuote:
			depth++
			continue
		case c == ')' && !inQuote && depth > 0:
			depth--
			if depth == 0 {
				sb.WriteString(repl)
			}
			continue
		}
		if depth == 0 {
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

// add records one verdict: the first SPF and DMARC ones, every DKIM one.
func (ar *AuthResults) add(r authres.Result) {
	clean := func(s string) string { return strings.ToLower(strings.Trim(s, `"`)) }
	switch r := r.(type) {
	case *authres.DKIMResult:
		v := AuthVerdict{Result: clean(string(r.Value)), Domain: clean(r.Domain)}
		if v.Domain == "" {
			v.Domain = domainOf(clean(r.Identifier))
		}
		ar.DKIM = append(ar.DKIM, v)
	case *authres.SPFResult:
		if ar.SPF == nil {
			v := AuthVerdict{Result: clean(string(r.Value)), Domain: domainOf(clean(r.From))}
			if v.Domain == "" {
				v.Domain = domainOf(clean(r.Helo))
			}
			ar.SPF = &v
		}
	case *authres.DMARCResult:
		if ar.DMARC == nil {
			ar.DMARC = &AuthVerdict{Result: clean(string(r.Value)), Domain: clean(r.From)}
		}
	}
}

// verify decides whether the From domain is vouched for: DMARC passed, or
// DKIM or SPF passed for a domain aligned with it (relaxed alignment,
// approximated without the public suffix list as "one is a subdomain of the
// other").
func (ar *AuthResults) verify(fromDomain string) bool {
	fromDomain = strings.ToLower(fromDomain)
	switch {
	case fromDomain == "":
	case ar.DMARC != nil && ar.DMARC.Result == "pass" && (ar.DMARC.Domain == "" || aligned(ar.DMARC.Domain, fromDomain)):
		ar.VerifiedBy = "dmarc"
	case ar.dkimAligned(fromDomain):
		ar.VerifiedBy = "dkim"
	case ar.SPF != nil && ar.SPF.Result == "pass" && aligned(ar.SPF.Domain, fromDomain):
		ar.VerifiedBy = "spf"
	}
	return ar.VerifiedBy != ""
}

func (ar *AuthResults) dkimAligned(fromDomain string) bool {
	for _, d := range ar.DKIM {
		if d.Result == "pass" && aligned(d.Domain, fromDomain) {
			return true
		}
	}
	return false
}

func aligned(a, b string) bool {
	a, b = strings.TrimSuffix(a, "."), strings.TrimSuffix(b, ".")
	if a == "" || b == "" {
		return false
	}
	return a == b || strings.HasSuffix(a, "."+b) && strings.Contains(b, ".") || strings.HasSuffix(b, "."+a) && strings.Contains(a, ".")
}

// domainOf returns the domain of an address or the value itself when it is
// a bare domain.
func domainOf(s string) string {
	s = strings.Trim(strings.TrimSpace(s), "<>")
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		return strings.ToLower(s[i+1:])
	}
	return strings.ToLower(s)
}
