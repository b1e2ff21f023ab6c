package mailparse

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

// normalizeNoPanic runs Normalize and turns a panic into a test failure.
func normalizeNoPanic(t testing.TB, name string, r io.Reader) (n *Normalized, err error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("Normalize(%s) panicked: %v", name, p)
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return Normalize(r, NormalizeOptions{OurAddresses: []string{"soporte@example.com"}})
}

// checkInvariants holds for every normalized message.
func checkInvariants(t testing.TB, name string, n *Normalized) {
	t.Helper()
	m := n.Message
	if m == nil {
		t.Fatalf("Normalize(%s): nil Message", name)
	}
	for _, s := range []string{m.Text, m.Subject, m.From.ID, m.From.Name, string(m.ID)} {
		if !utf8.ValidString(s) {
			t.Errorf("Normalize(%s): invalid UTF-8 in %q", name, s)
		}
	}
	if m.ID == "" {
		t.Errorf("Normalize(%s): empty ID", name)
	}
	if m.From.ID == "" && !m.AutoReply {
		t.Errorf("Normalize(%s): no sender on a human message", name)
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		t.Errorf("Normalize(%s): subject %q spans lines", name, m.Subject)
	}
	if m.AutoReply != (m.AutoReplyReason != "") {
		t.Errorf("Normalize(%s): auto_reply %v with reason %q", name, m.AutoReply, m.AutoReplyReason)
	}
	for _, a := range m.Attachments {
		if a.Size < 0 || !utf8.ValidString(a.Name) {
			t.Errorf("Normalize(%s): bad attachment %+v", name, a)
		}
	}
	if _, err := InspectJSON(n); err != nil {
		t.Errorf("InspectJSON(%s): %v", name, err)
	}
}
