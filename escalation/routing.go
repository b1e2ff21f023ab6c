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
	// lang is the language of the explanations: the desk's (es or en).
	lang string
}

// NewRouter builds the router of cfg. It fails only when a rule's regex does
// not compile (a configuration that went through config.Parse never does).
func NewRouter(cfg *config.Config) (*Router, error) {
	r := &Router{rules: cfg.Routing, tiers: cfg.Tiers, vip: cfg.VIP, hours: NewHours(cfg.BusinessHours), lang: deskLang(cfg)}
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
		d.Explain = append(d.Explain, deskPhrase("why_not", r.lang, rule.Name, why))
	}
	if len(r.tiers) > 0 {
		d.Tier = r.tiers[0].ID
	}
	d.Explain = append(d.Explain, deskPhrase("route_none", r.lang))
	return d
}

// mismatch returns why m does not hold for in, or "" when it does.
func (r *Router) mismatch(m config.Match, re *regexp.Regexp, in RouteInput) string {
	lang := strings.ToLower(in.Language)
	switch {
	case len(m.Category) > 0 && !slices.Contains(m.Category, in.Category):
		return r.say("miss_category", in.Category, m.Category)
	case len(m.Language) > 0 && !slices.Contains(m.Language, lang):
		return r.say("miss_language", lang, m.Language)
	case len(m.LanguageNot) > 0 && slices.Contains(m.LanguageNot, lang):
		return r.say("miss_language_not", lang, m.LanguageNot)
	case len(m.Channel) > 0 && !slices.Contains(m.Channel, in.Channel):
		return r.say("miss_channel", in.Channel, m.Channel)
	case len(m.FromDomain) > 0 && !domainIn(senderDomain(in.Sender), m.FromDomain):
		return r.say("miss_domain", senderDomain(in.Sender), m.FromDomain)
	case len(m.Keywords) > 0 && !hasKeyword(in.Subject+"\n"+in.Text, m.Keywords):
		return r.say("miss_keywords", m.Keywords)
	case re != nil && !re.MatchString(in.Subject) && !re.MatchString(in.Text):
		return r.say("miss_regex", re.String())
	case m.MinConfidence != nil && in.Confidence < *m.MinConfidence:
		return r.say("miss_min_confidence", in.Confidence, *m.MinConfidence)
	case m.MaxConfidence != nil && in.Confidence > *m.MaxConfidence:
		return r.say("miss_max_confidence", in.Confidence, *m.MaxConfidence)
	case m.VIP != nil && r.vip.IsVIP(in.Sender) != *m.VIP:
		return r.say("miss_vip", !*m.VIP, *m.VIP)
	case m.BusinessHours != nil && r.hours.Open(in.Time) != *m.BusinessHours:
		return r.say("miss_hours", !*m.BusinessHours, *m.BusinessHours)
	case m.Urgent != nil && in.urgent() != *m.Urgent:
		return r.say("miss_urgent", !*m.Urgent, *m.Urgent)
	}
	return ""
}

// say is desk phrase key in the router's language.
func (r *Router) say(key string, args ...any) string { return deskPhrase(key, r.lang, args...) }

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
