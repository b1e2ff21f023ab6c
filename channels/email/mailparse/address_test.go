package mailparse

import (
	"strings"
	"testing"
)

// TestParseAddrsHostile is the regression test of issue 14 item 8: a display
// name with an encoded CR LF made the fallback parser pick
// "_v3@evil.example?=" as the sender, and intake replied to it. Only a
// parsed, valid addr-spec may come out.
func TestParseAddrsHostile(t *testing.T) {
	tests := []struct{ in, want string }{
		{`=?utf-8?Q?Ana=0D=0AFrom:_v3@evil.example?= <ana@cliente.test>`, "ana@cliente.test"},
		{`=?utf-8?Q?Ana_=0D=0A_v3@evil.example?= <ana@cliente.test>`, "ana@cliente.test"},
		{`"=?utf-8?Q?x=0D=0A?=" _v3@evil.example <ana@cliente.test>`, "ana@cliente.test"},
		{`=?utf-8?B?QW5hDQpfdjNAZXZpbC5leGFtcGxlPz0=?= <ana@cliente.test>`, "ana@cliente.test"},
		{`x@evil.example?= <ana@cliente.test>`, "ana@cliente.test"},
		{`john@x.com <john@x.com>`, "john@x.com"},
		{`Ana, Pérez <ana@cliente.test>`, "ana@cliente.test"},
		{`evil@bad?domain=`, ""},
		{`<pete(his account)@silly.test>`, "pete@silly.test"},
	}
	for _, tc := range tests {
		got := parseAddrs(tc.in)
		var addrs []string
		for _, a := range got {
			addrs = append(addrs, a.Address)
			if strings.ContainsAny(a.Name, "\r\n") {
				t.Errorf("parseAddrs(%q) name %q has a line break", tc.in, a.Name)
			}
		}
		first := ""
		if len(addrs) > 0 {
			first = addrs[0]
		}
		if first != tc.want {
			t.Errorf("parseAddrs(%q) = %q, want first %q", tc.in, addrs, tc.want)
		}
		for _, a := range addrs {
			if !ValidAddrSpec(a) {
				t.Errorf("parseAddrs(%q) gave %q, not a valid addr-spec", tc.in, a)
			}
		}
	}
}

func TestValidAddrSpec(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"ana@cliente.test", true},
		{"ana.p+x@sub.cliente-1.test", true},
		{"josé@correo.españa.test", true},
		{"a@[192.0.2.1]", true},
		{"_v3@evil.example?=", false},
		{"a@b=c.test", false},
		{"a@-bad.test", false},
		{"a@b..test", false},
		{"no-at", false},
		{"a b@c.test", false},
		{"@c.test", false},
	}
	for _, tc := range tests {
		if got := ValidAddrSpec(tc.in); got != tc.want {
			t.Errorf("ValidAddrSpec(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
