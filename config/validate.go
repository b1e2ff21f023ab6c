package config

import (
	"fmt"
	"os"
	"time"
)

// check records err, if any, as a problem with the value at path.
func (d *decoder) check(path string, err error) {
	if err != nil {
		d.failPath(path, err.Error())
	}
}

// validate checks everything decoding cannot, then makes relative paths
// absolute. Each check names the path of the value it is about, so that the
// problem carries that value's position.
func validate(c *Config, d *decoder) {
	if c.Store.Kind == StoreBolt {
		c.Store.Path = c.resolvePath(c.Store.Path)
	}
	d.check("http.listen", checkHostPort(c.HTTP.Listen, true))
	d.check("log.level", oneOf(c.Log.Level, "debug", "info", "warn", "error"))
	d.check("log.format", oneOf(c.Log.Format, "text", "json"))
	validateBusinessHours(&c.BusinessHours, d)
	validateEmail(c, d)
	validateSlack(&c.Channels.Slack, d)
	validateDiscord(&c.Channels.Discord, d)
	validateTriage(c, d)
	if c.Queues.MaxAttempts < 1 && !d.bad["queues.max_attempts"] {
		d.failPath("queues.max_attempts", fmt.Sprintf("must be at least 1, got %d", c.Queues.MaxAttempts))
	}
	if c.Queues.ReplyMaxAttempts < 1 && !d.bad["queues.reply_max_attempts"] {
		d.failPath("queues.reply_max_attempts", fmt.Sprintf("must be at least 1, got %d", c.Queues.ReplyMaxAttempts))
	}
	if (c.Queues.Concurrency < 1 || c.Queues.Concurrency > 256) && !d.bad["queues.concurrency"] {
		d.failPath("queues.concurrency", fmt.Sprintf("must be from 1 to 256, got %d", c.Queues.Concurrency))
	}
	if (c.Queues.OutboxConcurrency < 1 || c.Queues.OutboxConcurrency > 256) && !d.bad["queues.outbox_concurrency"] {
		d.failPath("queues.outbox_concurrency", fmt.Sprintf("must be from 1 to 256, got %d", c.Queues.OutboxConcurrency))
	}
	validateTiers(c, d)
	validateOnCall(c.OnCall, d, "on_call")
	validateRouting(c, d)
	validateVIP(&c.VIP, d)
	validateWeb(c, d)
	if c.MajorIncidents.Enabled() || d.present("major_incidents") {
		if c.MajorIncidents.Threshold < 2 {
			d.failPath("major_incidents.threshold", fmt.Sprintf("must be at least 2, got %d", c.MajorIncidents.Threshold))
		}
		d.check("major_incidents.similarity", checkUnit(c.MajorIncidents.Similarity))
	}
}

func validateBusinessHours(b *BusinessHours, d *decoder) {
	const p = "business_hours"
	loc, err := time.LoadLocation(b.Timezone)
	if err != nil || b.Timezone == "Local" {
		d.failPath(p+".timezone", fmt.Sprintf("unknown time zone %q (use an IANA name such as America/Mexico_City or UTC)", b.Timezone))
		loc = time.UTC
	}
	b.Location = loc
	if len(b.Days) == 0 {
		d.failPath(p+".days", "no business days: list at least one, such as [mon, tue, wed, thu, fri]")
	}
	seen := map[time.Weekday]bool{}
	for i, wd := range b.Days {
		if seen[wd] {
			d.failPath(fmt.Sprintf("%s.days[%d]", p, i), fmt.Sprintf("%s is listed twice", wd))
		}
		seen[wd] = true
	}
	if b.From >= b.To && !d.bad[p+".from"] && !d.bad[p+".to"] {
		d.failPath(p+".to", fmt.Sprintf("%s must be later than from (%s)", b.To, b.From))
	}
	dates := map[Date]bool{}
	for i, h := range b.Holidays {
		if dates[h] {
			d.failPath(fmt.Sprintf("%s.holidays[%d]", p, i), fmt.Sprintf("%s is listed twice", h))
		}
		dates[h] = true
	}
}

func validateTriage(c *Config, d *decoder) {
	t := &c.Triage
	if len(t.Languages) == 0 {
		d.failPath("triage.languages", "list at least one language the bot answers in, such as [es, en]")
	}
	seen := map[string]bool{}
	for i, l := range t.Languages {
		p := fmt.Sprintf("triage.languages[%d]", i)
		d.check(p, checkLanguage(l))
		if seen[l] {
			d.failPath(p, fmt.Sprintf("%s is listed twice", l))
		}
		seen[l] = true
	}
	if t.KnowledgeBase != "" {
		t.KnowledgeBase = c.resolvePath(t.KnowledgeBase)
		switch fi, err := os.Stat(t.KnowledgeBase); {
		case err != nil:
			d.failPath("triage.knowledge_base", fmt.Sprintf("knowledge base folder %s does not exist", t.KnowledgeBase))
		case !fi.IsDir():
			d.failPath("triage.knowledge_base", fmt.Sprintf("%s is not a folder", t.KnowledgeBase))
		}
	}
	t.DraftsDir = c.resolvePath(t.DraftsDir)
	for cat, names := range t.Details {
		p := "triage.details." + cat
		d.check(p, checkIdent("category", cat))
		if len(names) == 0 {
			d.failPath(p, "list at least one detail, such as [description]")
		}
		dup := map[string]bool{}
		for i, n := range names {
			q := fmt.Sprintf("%s[%d]", p, i)
			d.check(q, checkIdent("detail", n))
			if dup[n] {
				d.failPath(q, fmt.Sprintf("%s is listed twice", n))
			}
			dup[n] = true
		}
	}
	d.check("triage.threshold", checkUnit(t.Threshold))
	if t.MaxAttempts < 1 && !d.bad["triage.max_attempts"] {
		d.failPath("triage.max_attempts", fmt.Sprintf("must be at least 1, got %d", t.MaxAttempts))
	}
}

func validateVIP(v *VIP, d *decoder) {
	for i, e := range v.Emails {
		d.check(fmt.Sprintf("vip.emails[%d]", i), checkEmail(e))
	}
	for i, dom := range v.Domains {
		d.check(fmt.Sprintf("vip.domains[%d]", i), checkHostname(dom))
	}
	for i, id := range v.DiscordUsers {
		d.check(fmt.Sprintf("vip.discord_users[%d]", i), checkSnowflake(id))
	}
}
