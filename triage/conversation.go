package triage

import (
	"slices"
	"strings"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/internal/textproc"
	"github.com/intake-support/intake/triage/kb"
)

// onFirst handles the message that opens the conversation, or the
// description the bot asked for.
func (b *Bot) onFirst(inc *intake.Incident, st *state, text string) (intake.Outcome, error) {
	problem := text
	if st.Problem != "" {
		problem = st.Problem + "\n" + text
	}
	d := b.c.decide(problem, st.Lang, inc.Details)
	b.record(inc, d)
	b.learn(inc, st, d, problem)
	greet := ""
	if !st.Rephrased && !st.Offered {
		greet = say("greet", st.Lang) + "\n\n" // the first reply only
	}
	switch {
	case d.Reason == "out_of_scope":
		return b.closeOutOfScope(inc, st, d.Article)
	case d.Action == ActionEscalate && d.Reason != "low_confidence" && d.Reason != "category":
		return b.escalate(inc, st, d.Reason, ""), nil
	case d.Reason == "empty" || d.Reason == "too_short":
		if st.Rephrased {
			return b.handOver(inc, st, "low_confidence", "", "")
		}
		st.Rephrased = true
		return b.wait(inc, st, stepDescribe, reply(say("describe", st.Lang), replyLang(st.Lang)))
	case d.Reason == "choose" && !st.Offered:
		return b.offer(inc, st, d.Choices, greet)
	case d.Article == "" || d.Reason == "choose":
		return b.handOver(inc, st, "low_confidence", "", greet)
	case d.Reason == "category":
		return b.handOver(inc, st, "category", d.Article, greet)
	}
	return b.answer(inc, st, greet)
}

// learn keeps what a decision found out about the problem.
func (b *Bot) learn(inc *intake.Incident, st *state, d Decision, problem string) {
	if d.Language != "" {
		st.Lang = d.Language
		inc.Language = d.Language
	}
	st.Problem = textproc.Truncate(problem, maxProblem)
	st.Category, st.Article, st.Confidence = d.Category, d.Article, d.Confidence
	if d.Category != "" {
		inc.Category = d.Category
	}
	setDetail(inc, "description", st.Problem)
}

// answer sends st.Article's answer and asks whether it solved the problem.
func (b *Bot) answer(inc *intake.Incident, st *state, prefix string) (intake.Outcome, error) {
	a := b.c.kb.Article(st.Article)
	if a == nil {
		return b.handOver(inc, st, "low_confidence", "", prefix)
	}
	if slices.Contains(handOverCategories, a.Category) {
		return b.handOver(inc, st, "category", a.ID, prefix)
	}
	lang := replyLang(st.Lang)
	st.Tried = append(st.Tried, a.ID)
	text := prefix + say("answer", lang) + "\n\n" + strings.TrimSpace(a.AnswerIn(lang)) + "\n\n" + say("confirm", lang)
	return b.wait(inc, st, stepConfirm, reply(text, lang,
		intake.Button{Action: ActionSolved, Label: say("yes", lang)},
		intake.Button{Action: ActionNotSolved, Label: say("no", lang)}))
}

// offer asks which of two plausible articles the customer means, as a
// numbered choice ("1", "2", "the first").
func (b *Bot) offer(inc *intake.Incident, st *state, choices []string, prefix string) (intake.Outcome, error) {
	lang := replyLang(st.Lang)
	var sb strings.Builder
	sb.WriteString(prefix + say("choose", lang))
	for i, id := range choices {
		sb.WriteString("\n" + string(rune('1'+i)) + ". " + b.c.kb.Article(id).TitleIn(lang))
	}
	sb.WriteString("\n\n" + say("choose_how", lang))
	st.Choices, st.Offered = choices, true
	return b.wait(inc, st, stepChoose, reply(sb.String(), lang))
}

// onChoose handles the answer to a choice of articles.
func (b *Bot) onChoose(inc *intake.Incident, st *state, n normalized, action, text string) (intake.Outcome, error) {
	i := chosen(n, len(st.Choices))
	switch {
	case i >= 0:
		st.Article = st.Choices[i]
		if a := b.c.kb.Article(st.Article); a != nil {
			st.Category = a.Category
			inc.Category = a.Category
		}
		st.Choices = nil
		return b.answer(inc, st, "")
	case answerKind(action, n) < 0 || n.hasAny(nonePhrases):
		return b.handOver(inc, st, "low_confidence", "", "")
	}
	st.Choices = nil
	return b.onFirst(inc, st, text) // more about the problem
}

// handOver asks the details a person will need that the conversation has not
// given yet, then hands over; with nothing to ask it hands over at once.
func (b *Bot) handOver(inc *intake.Incident, st *state, reason, firstChecks, prefix string) (intake.Outcome, error) {
	missing := missingDetails(b.opts.DetailsFor(st.Category), normalize(st.Problem), inc.Details)
	if len(missing) == 0 {
		return b.escalate(inc, st, reason, firstChecks), nil
	}
	st.Asked, st.HandOver, st.FirstChecks = missing, reason, firstChecks
	lang := replyLang(st.Lang)
	return b.wait(inc, st, stepDetails, reply(prefix+askDetails(missing, lang), lang))
}

// onDetails records the customer's answer to the detail questions and hands
// over with it. A bare "no" hands over with what the bot has.
func (b *Bot) onDetails(inc *intake.Incident, st *state, n normalized, action, text string) (intake.Outcome, error) {
	if answerKind(action, n) >= 0 || n.words > 4 {
		for _, name := range st.Asked {
			setDetail(inc, name, text)
		}
	}
	st.Asked = nil
	return b.escalate(inc, st, st.HandOver, st.FirstChecks), nil
}

// onConfirm handles the answer to "did that solve it?".
func (b *Bot) onConfirm(inc *intake.Incident, st *state, action, text string) (intake.Outcome, error) {
	n := normalize(text)
	kind := answerKind(action, n)
	if kind > 0 {
		return b.resolve(inc, st)
	}
	// No, or more about the problem: another confident article, while
	// max_attempts allows; then a person.
	if len(st.Tried) < b.opts.MaxAttempts && action == "" {
		d := b.c.decide(st.Problem+"\n"+text, st.Lang, inc.Details)
		b.record(inc, d)
		if d.Action == ActionAnswer && !slices.Contains(st.Tried, d.Article) {
			st.Problem = textproc.Truncate(st.Problem+"\n"+text, maxProblem)
			st.Article, st.Category, st.Confidence = d.Article, d.Category, d.Confidence
			return b.answer(inc, st, "")
		}
	}
	return b.handOver(inc, st, "not_solved", "", "")
}

// closeOutOfScope answers a request the desk does not handle with the
// article's note and closes the incident; no person is bothered unless the
// customer writes again.
func (b *Bot) closeOutOfScope(inc *intake.Incident, st *state, article string) (intake.Outcome, error) {
	lang := replyLang(st.Lang)
	text := say("close_out_of_scope", lang)
	if a := b.c.kb.Article(article); a != nil {
		text = strings.TrimSpace(a.AnswerIn(lang)) + "\n\n" + text
	}
	if err := b.move(inc, intake.StatusClosed, "out of scope: "+article); err != nil {
		return intake.Outcome{}, err
	}
	st.Step, st.OutOfScope = stepDone, true
	return intake.Outcome{Replies: []intake.Reply{reply(text, lang)}}, nil
}

// onInsist handles a message after an out-of-scope reply: a new, answerable
// problem is triaged as usual; anything else goes to a person.
func (b *Bot) onInsist(inc *intake.Incident, st *state, text string) (intake.Outcome, error) {
	st.OutOfScope = false
	d := b.c.decide(text, st.Lang, nil)
	switch {
	case d.Article != "" && d.Category != kb.OutOfScope,
		d.Reason == "urgent", d.Reason == "asked_for_human", d.Reason == "language":
		st.Problem = ""
		return b.onFirst(inc, st, text)
	}
	b.record(inc, d)
	st.Problem = textproc.Truncate(st.Problem+"\n"+text, maxProblem)
	if inc.Details == nil {
		inc.Details = map[string]string{}
	}
	inc.Details["description"] = st.Problem
	return b.escalate(inc, st, "insisted", ""), nil
}

// escalate hands the incident to the humans with what the bot learned;
// firstChecks, when set, is an article whose answer is sent meanwhile.
func (b *Bot) escalate(inc *intake.Incident, st *state, reason, firstChecks string) intake.Outcome {
	st.Step = stepDone
	details := make(map[string]string, len(inc.Details))
	for k, v := range inc.Details {
		details[k] = v
	}
	esc := &intake.Escalation{Reason: reason, Language: st.Lang, Category: st.Category,
		Confidence: st.Confidence, Details: details, Tried: slices.Clone(st.Tried)}
	if reason == "urgent" && esc.Category == "" {
		esc.Category = "outage"
	}
	var text, lang string
	if st.Lang != "" && !slices.Contains(b.opts.Languages, st.Lang) || st.Lang == "" {
		text, lang = bilingual("escalate"), "en"
	} else {
		lang = replyLang(st.Lang)
		if reason == "urgent" {
			text = say("urgent", lang) + " "
		}
		text += say("escalate", lang)
		if a := b.c.kb.Article(firstChecks); a != nil && a.Category != kb.OutOfScope {
			text += "\n\n" + say("first_checks", lang) + "\n\n" + strings.TrimSpace(a.AnswerIn(lang))
			esc.Tried = append(esc.Tried, a.ID)
		}
	}
	return intake.Outcome{Replies: []intake.Reply{reply(text, lang)}, Escalate: esc}
}
