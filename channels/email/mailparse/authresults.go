package mailparse

import (
	"strings"

	"github.com/emersion/go-message"
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
// sender and are ignored.
func authResults(h message.Header, trustedServID string) AuthResults {
	for _, v := range h.Values("Authentication-Results") {
		servID, methods := splitAuthResults(v)
		if trustedServID != "" && !strings.EqualFold(servID, trustedServID) {
			continue
		}
		ar := AuthResults{ServID: servID}
		for _, m := range methods {
			ar.add(m)
		}
		return ar
	}
	return AuthResults{}
}

// splitAuthResults strips comments and returns the authserv-id and the
// method clauses ("dkim=pass header.d=example.com").
func splitAuthResults(v string) (string, []string) {
	v = stripComments(v, " ")
	var clauses []string
	inQuote, start := false, 0
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '"':
			inQuote = !inQuote
		case ';':
			if !inQuote {
				clauses = append(clauses, strings.TrimSpace(v[start:i]))
				start = i + 1
			}
		}
	}
	clauses = append(clauses, strings.TrimSpace(v[start:]))
	servID := strings.ToLower(firstWord(clauses[0]))
	return servID, clauses[1:]
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

// add records one method clause.
func (ar *AuthResults) add(clause string) {
	fields := strings.Fields(clause)
	if len(fields) == 0 {
		return
	}
	method, result, ok := strings.Cut(fields[0], "=")
	if !ok {
		return
	}
	method = strings.ToLower(method)
	if i := strings.IndexByte(method, '/'); i >= 0 {
		method = method[:i]
	}
	props := map[string]string{}
	for _, f := range fields[1:] {
		if k, val, ok := strings.Cut(f, "="); ok {
			props[strings.ToLower(k)] = strings.ToLower(strings.Trim(val, `"`))
		}
	}
	v := AuthVerdict{Result: strings.ToLower(result)}
	switch method {
	case "dkim":
		v.Domain = props["header.d"]
		if v.Domain == "" {
			v.Domain = domainOf(props["header.i"])
		}
		ar.DKIM = append(ar.DKIM, v)
	case "spf":
		if ar.SPF == nil {
			v.Domain = domainOf(firstNonEmpty(props["smtp.mailfrom"], props["smtp.mail"]))
			if v.Domain == "" {
				v.Domain = domainOf(props["smtp.helo"])
			}
			ar.SPF = &v
		}
	case "dmarc":
		if ar.DMARC == nil {
			v.Domain = props["header.from"]
			ar.DMARC = &v
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
