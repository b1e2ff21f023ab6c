package mailparse

import (
	"testing"

	"github.com/emersion/go-message"
)

func TestAuthResults(t *testing.T) {
	tests := []struct {
		name    string
		fields  []string // top-most first
		trusted string
		from    string
		want    string // VerifiedBy
	}{
		{"dmarc pass", []string{"mx.example.com; dmarc=pass (p=none) header.from=x.example"}, "", "x.example", "dmarc"},
		{"dmarc pass for another domain", []string{"mx.example.com; dmarc=pass header.from=evil.example"}, "", "x.example", ""},
		{"dkim aligned subdomain", []string{"mx.example.com; dkim=pass header.d=mail.x.example; spf=fail"}, "", "x.example", "dkim"},
		{"dkim by i=", []string{"mx.example.com; dkim=pass header.i=@x.example"}, "", "x.example", "dkim"},
		{"dkim unaligned", []string{"mx.example.com; dkim=pass header.d=esp.example"}, "", "x.example", ""},
		{"spf aligned", []string{"mx.example.com; spf=pass smtp.mailfrom=bounce@x.example"}, "", "x.example", "spf"},
		{"spf old gmail", []string{"mx.google.com; spf=pass (google.com: domain of a@x.example designates 1.2.3.4 as permitted sender) smtp.mail=a@x.example"}, "", "x.example", "spf"},
		{"all fail", []string{"mx.example.com; dkim=fail header.d=x.example; spf=softfail smtp.mailfrom=x.example; dmarc=fail header.from=x.example"}, "", "x.example", ""},
		{"only the top-most counts", []string{"mx.example.com; none", "forged; dmarc=pass header.from=x.example"}, "", "x.example", ""},
		{"trusted servid skips forged top", []string{"forged; dmarc=pass header.from=x.example", "MX.example.com; dkim=pass header.d=x.example"}, "mx.example.com", "x.example", "dkim"},
		{"trusted servid absent", []string{"other; dmarc=pass header.from=x.example"}, "mx.example.com", "x.example", ""},
		{"tld is not aligned", []string{"mx.example.com; dkim=pass header.d=example"}, "", "x.example", ""},
		{"reason with semicolon", []string{`mx.example.com; dkim=pass reason="good; ok" header.d=x.example`}, "", "x.example", "dkim"},
		{"text after the authserv-id", []string{"mx.example.com  from=x.example; dkim=pass header.d=x.example"}, "mx.example.com", "x.example", "dkim"},
		{"method version", []string{"mx.example.com; dkim/1=pass header.d=x.example"}, "", "x.example", "dkim"},
		{"quoted domain, upper case", []string{`mx.example.com 1; dmarc=PASS header.from="X.Example"`}, "", "x.example", "dmarc"},
		{"comment with an equals sign", []string{"mx.example.com; spf=pass (sender smtp.mailfrom=x.example) smtp.mailfrom=evil.example"}, "", "x.example", ""},
		{"a broken clause ends the verdicts", []string{"mx.example.com; dkim=fail header.d=x.example; garbage; dmarc=pass header.from=x.example"}, "", "x.example", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h message.Header
			for i := len(tt.fields) - 1; i >= 0; i-- {
				h.Add("Authentication-Results", tt.fields[i])
			}
			ar := authResults(h, tt.trusted)
			if got := ar.verify(tt.from); got != (tt.want != "") || ar.VerifiedBy != tt.want {
				t.Errorf("authResults(%q).verify(%q) = %v by %q, want %q (%+v)", tt.fields, tt.from, got, ar.VerifiedBy, tt.want, ar)
			}
		})
	}
}
