package triage

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

var benchWords = strings.Fields(`password account locked printer offline monitor signal keyboard mouse
slow laptop wifi vpn internet email outlook mailbox full install software licence update crash browser
server database backup firewall network drive battery sound microphone phone sync bounce phishing
contraseña cuenta bloqueada impresora pantalla teclado lento portátil correo buzón instalar licencia
actualización servidor base datos copia seguridad red unidad batería sonido móvil`)

// syntheticKB builds n articles of 5 questions each from random support words.
func syntheticKB(n int) *KB {
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	var ex []Example
	for i := 0; i < n; i++ {
		label := fmt.Sprintf("art-%05d", i)
		for q := 0; q < 5; q++ {
			var b strings.Builder
			for w := 0; w < 3; w++ {
				b.WriteString(benchWords[rng.IntN(len(benchWords))])
				b.WriteByte(' ')
			}
			// Article-specific words from a large pseudo vocabulary, as real
			// articles differ in their terms.
			for w := 0; w < 4; w++ {
				b.WriteString(pseudoWord(rng.IntN(5000) + 5000*(i%3)))
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "code%d", i)
			ex = append(ex, Example{Text: b.String(), Label: label, Lang: "en"})
		}
	}
	return KBFromExamples(ex)
}

var syllables = strings.Fields("ka re mi to su la ne po ri da fe gu lo ba ti")

func pseudoWord(n int) string {
	var b strings.Builder
	for i := 0; i < 3; i++ {
		b.WriteString(syllables[n%len(syllables)])
		n /= len(syllables)
	}
	return b.String()
}

var benchMessages = []string{
	"I forgot my password and my account is locked since this morning",
	"La impresora no imprime, aparece desconectada desde ayer",
	"my laptop is very slow and the wifi keeps dropping",
	"no me conecta la VPN desde casa, error de certificado",
	"Outlook keeps asking for my password on my phone",
	"quiero hablar con una persona",
	"Dear support team, since the last update our mailbox is full and users cannot send email, please advise on the quota",
	"el monitor dice sin señal",
}

// BenchmarkDecide measures the full triage decision (language, classification,
// signals) per message; msgs/s is reported.
func BenchmarkDecide(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		c, err := NewClassifier(syntheticKB(n), trainedTriage())
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("articles=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				c.Route(benchMessages[i%len(benchMessages)])
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

// BenchmarkDecideDefaultKB measures Route with the shipped KB.
func BenchmarkDecideDefaultKB(b *testing.B) {
	c, err := NewClassifier(loadDefaultKB(b), trainedTriage())
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Route(benchMessages[i%len(benchMessages)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
