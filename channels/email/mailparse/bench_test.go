package mailparse

import (
	"bytes"
	"os"
	"testing"
)

func BenchmarkNormalize(b *testing.B) {
	raw, err := os.ReadFile("testdata/gmail_reply_es.eml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := Normalize(bytes.NewReader(raw), NormalizeOptions{OurAddresses: testOurs}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStripQuotes(b *testing.B) {
	raw, err := os.ReadFile("testdata/outlook_es.eml")
	if err != nil {
		b.Fatal(err)
	}
	s := string(raw)
	for b.Loop() {
		StripQuotes(s)
	}
}
