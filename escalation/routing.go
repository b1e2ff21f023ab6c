package escalation

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/config"
)

// RouteInput is what routing looks at for one escalated incident.
type RouteInput struct {
	Category   string          `json:"category,omitempty"`
	Language   string          `json:"language,omitempty"`
	Confidence float64         `json:"confidence"`
	Channel    intake.Channel  `json:"channel,omitempty"`
	Sender     intake.Customer `json:"sender"`
	Subject    string          `json:"subject,omitempty"`
	Text       string          `json:"text,omitempty"`
	Time       time.Time       `json:"time"`
	// Urgent is set when Level I found urgency or outage words.
	Urgent bool `json:"urgent,omitempty"`
}

// Decision is the tier routing picked and why.
type Decision struct {
	Tier intake.TierID `json:"tier"`
	// Rule is the name of the rule that matched; empty when none did and the
	// incident went to the first tier.
	Rule string `json:"rule,omitempty"`
	// Explain says, for each rule before the one that matched, why it did not.
	Explain []string `json:"explain,omitempty"`
}

// Router applies the routing rules of a configuration: first match wins; no
// match goes to the first tier.
type Router struct {
	rules []config.Rule
	res   []*regexp.Regexp
	tiers []config.Tier
	vip   config.VIP
	hours Hours
}

// NewRouter builds the router of cfg. It fails only when a rule's regex does
// not compile (a configuration that went through config.Parse never does).
func NewRouter(cfg *config.Config) (*Router, error) {
	r := &Router{rules: cfg.Routing, tiers: cfg.Tiers, vip: cfg.VIP, hours: NewHours(cfg.BusinessHours)}
	for _, rule := range cfg.Routing {
		re := rule.When.Regexp
		if re == nil && rule.When.Regex != "" {
			var err error
			if re, err = regexp.Compile(rule.When.Regex); err != nil {
				return nil, fmt.Errorf("routing rule %q: %w", rule.Name, err)
			}
		}
		r.res = append(r.res, re)
	}
	return r, nil
}

// Route returns the decision for in.
func (r *Router) Route(in RouteInput) Decision {
	var d Decision
	for i, rule := range r.rules {
		why := r.mismatch(rule.When, r.res[i], in)
		if why == "" {
			d.Tier, d.Rule = rule.Tier, rule.Name
			return d
		}
		d.Explain = append(d.Explain, fmt.Sprintf("rule %q: %s", rule.Name, why))
	}
	if len(r.tiers) > 0 {
		d.Tier = r.tiers[0].ID
	}
	d.Explain = append(d.Explain, "no rule matched: first tier")
	return d
}

// mismatch returns why m does not hold for in, or "" when it does.
func (r *Router) mismatch(m config.Match, re *regexp.Regexp, in RouteInput) string {
	lang := strings.ToLower(in.Language)
	switch {
	case len(m.Category) > 0 && !slices.Contains(m.Category, in.Category):
		return fmt.Sprintf("category %q not in %v", in.Category, m.Category)
	case len(m.Language) > 0 && !slices.Contains(m.Language, lang):
		return fmt.Sprintf("language %q not in %v", lang, m.Language)
	case len(m.LanguageNot) > 0 && slices.Contains(m.LanguageNot, lang):
		return fmt.Sprintf("language %q is in language_not %v", lang, m.LanguageNot)
	case len(m.Channel) > 0 && !slices.Contains(m.Channel, in.Channel):
		return fmt.Sprintf("channel %q not in %v", in.Channel, m.Channel)
	case len(m.FromDomain) > 0 && !domainIn(senderDomain(in.Sender), m.FromDomain):
		return fmt.Sprintf("sender domain %q not in %v", senderDomain(in.Sender), m.FromDomain)
	case len(m.Keywords) > 0 && !hasKeyword(in.Subject+"\n"+in.Text, m.Keywords):
		return fmt.Sprintf("none of the keywords %v in the text", m.Keywords)
	case re != nil && !re.MatchString(in.Subject) && !re.MatchString(in.Text):
		return fmt.Sprintf("regex %q does not match", re.String())
	case m.MinConfidence != nil && in.Confidence < *m.MinConfidence:
		return fmt.Sprintf("confidence %.2f below min_confidence %.2f", in.Confidence, *m.MinConfidence)
	case m.MaxConfidence != nil && in.Confidence > *m.MaxConfidence:
		return fmt.Sprintf("confidence %.2f above max_confidence %.2f", in.Confidence, *m.MaxConfidence)
	case m.VIP != nil && r.vip.IsVIP(in.Sender) != *m.VIP:
		return fmt.Sprintf("vip is %t, want %t", !*m.VIP, *m.VIP)
	case m.BusinessHours != nil && r.hours.Open(in.Time) != *m.BusinessHours:
		return fmt.Sprintf("business_hours is %t, want %t", !*m.BusinessHours, *m.BusinessHours)
	case m.Urgent != nil && in.urgent() != *m.Urgent:
		return fmt.Sprintf("urgent is %t, want %t", !*m.Urgent, *m.Urgent)
	}
	return ""
}

// urgent reports whether the incident calls for a person at once (see isUrgent).
func (in RouteInput) urgent() bool { return in.Urgent || in.Category == "outage" }

// senderDomain is the email domain of an email sender, lowercase; "" otherwise.
func senderDomain(c intake.Customer) string {
	if c.Channel != intake.ChannelEmail {
		return ""
	}
	_, d, ok := strings.Cut(strings.ToLower(c.ID), "@")
	if !ok {
		return ""
	}
	return d
}

// domainIn reports whether d is one of domains or a subdomain of one.
func domainIn(d string, domains []string) bool {
	if d == "" {
		return false
	}
	for _, x := range domains {
		x = strings.ToLower(x)
		if d == x || strings.HasSuffix(d, "."+x) {
			return true
		}
	}
	return false
}

// hasKeyword reports whether any keyword appears in text as whole words,
// ignoring case and accents.
func hasKeyword(text string, keywords []string) bool {
	hay := " " + strings.Join(words(text), " ") + " "
	for _, k := range keywords {
		if w := words(k); len(w) > 0 && strings.Contains(hay, " "+strings.Join(w, " ")+" ") {
			return true
		}
	}
	return false
}
