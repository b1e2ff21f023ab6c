package mailparse

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"From: a@x.example\n\nhi",
		"From: a@x.example\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/html\n\n<p>x</p>\n--b--",
		"From: a@x.example\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; c@y.example\nAction: failed\n--b--",
		"From: =?utf-8?B?w6E=?= <a@x.example>\nSubject: =?koi8-r?Q?=F0?=\nContent-Type: text/plain; charset=utf-7\n\n+AKM-",
		" From: broken\n--\n\n",
	} {
		f.Add([]byte(s))
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "*.eml"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		n, err := Normalize(bytes.NewReader(raw), NormalizeOptions{MaxSize: 1 << 20, OurAddresses: testOurs})
		if err != nil {
			var r *RefusedError
			if !errors.As(err, &r) {
				t.Fatalf("Normalize(%q) = %v, not a refusal", raw, err)
			}
			return
		}
		checkInvariants(t, "fuzz input", n)
	})
}

// FuzzParseAddrs: whatever an address field holds, only valid addr-specs
// come out, and display names stay on one line.
func FuzzParseAddrs(f *testing.F) {
	for _, s := range []string{
		`=?utf-8?Q?Ana=0D=0AFrom:_v3@evil.example?= <ana@cliente.test>`,
		`"Pérez, Ana" <ana@cliente.test>, luis@otra.test`,
		`john@x.com <john@x.com>`,
		`<pete(his account)@silly.test>`,
		`undisclosed-recipients:;`,
		`a@[192.0.2.1]`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, a := range parseAddrs(v) {
			if !ValidAddrSpec(a.Address) {
				t.Errorf("parseAddrs(%q) gave %q, not a valid addr-spec", v, a.Address)
			}
			if strings.ContainsAny(a.Name, "\r\n") {
				t.Errorf("parseAddrs(%q) name %q spans lines", v, a.Name)
			}
		}
	})
}
