package email

import (
	"errors"
	"strings"

	"github.com/emersion/go-smtp"

	"github.com/intake-support/intake/channels"
)

// smtpStage is the step of a relay session an answer came at.
type smtpStage string

// The steps of a relay session.
const (
	stageConnect smtpStage = "connect" // greeting, EHLO, STARTTLS
	stageAuth    smtpStage = "auth"
	stageMail    smtpStage = "mail"
	stageRcpt    smtpStage = "rcpt"
	stageData    smtpStage = "data"
)

// classifySMTP judges a relay's answer by its code, its enhanced status code
// (RFC 3463) and the step it came at:
//
//   - 4xx and network errors are temporary: returned as they are, retried.
//   - A 5xx is permanent (channels.Permanent) only when it is about this
//     reply rather than the relay: at RCPT, the recipient's mailbox does not
//     exist or cannot take mail (5.1.x, 5.2.1, or 550/551/553 without an
//     enhanced code that does not speak of relaying); at DATA, the message
//     itself is refused (5.6.x media, 5.3.4 too big).
//   - Every other 5xx is the relay refusing us (relay denied 5.7.1, AUTH
//     required 530 or failed 535, 554 at connect, a bad sender at MAIL):
//     channels.PeerRefused, retried with backoff and alerted on, since a
//     person fixing the relay or our credentials makes it work again.
//     552 at RCPT (mailbox full, 5.2.2) is treated as temporary, as RFC
//     5321 allows.
func classifySMTP(stage smtpStage, err error) error {
	var se *smtp.SMTPError
	if !errors.As(err, &se) || se.Code < 500 || se.Code > 599 {
		return err
	}
	switch {
	case stage == stageRcpt && recipientRefused(se):
		return channels.Permanent(err)
	case stage == stageRcpt && se.Code == 552:
		return err
	case stage == stageData && messageRefused(se):
		return channels.Permanent(err)
	}
	return channels.PeerRefused(err)
}

// hasEnhanced reports whether the answer carried a meaningful enhanced code
// (X.0.0 says nothing more than the basic code).
func hasEnhanced(se *smtp.SMTPError) bool {
	e := se.EnhancedCode
	return e[0] > 0 && (e[1] > 0 || e[2] > 0)
}

// recipientRefused: the RCPT answer says the mailbox is bad, not the relay.
func recipientRefused(se *smtp.SMTPError) bool {
	e := se.EnhancedCode
	if hasEnhanced(se) {
		return e[0] == 5 && (e[1] == 1 || e[1] == 2 && e[2] == 1)
	}
	switch se.Code {
	case 550, 551, 553:
		return !speaksOfRelay(se.Message)
	}
	return false
}

// messageRefused: the DATA answer refuses this message's content or size.
func messageRefused(se *smtp.SMTPError) bool {
	e := se.EnhancedCode
	if hasEnhanced(se) {
		return e[0] == 5 && (e[1] == 6 || e[1] == 3 && e[2] == 4)
	}
	return se.Code == 552
}

// speaksOfRelay reports whether a reply text without an enhanced code is
// about the relay's policy (relaying, authentication, access) rather than
// the mailbox.
func speaksOfRelay(msg string) bool {
	m := strings.ToLower(msg)
	for _, w := range []string{"relay", "auth", "access denied", "not permitted", "policy"} {
		if strings.Contains(m, w) {
			return true
		}
	}
	return false
}
