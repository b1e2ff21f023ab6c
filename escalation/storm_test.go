package escalation_test

import (
	"flag"
	"fmt"
	"testing"
	"time"
)

// stormReports is the size of the outage storm: 2,000 as in issue 15, or
// -storm N (after -args) to see how the cost grows with the storm's size.
var stormReports = flag.Int("storm", 2000, "reports in BenchmarkStorm")

// BenchmarkStorm measures what one report costs the desk, through a real
// worker on the embedded store, in a storm of 2,000 urgent reports: "grouped"
// reports of the same outage, which all go under one major incident, against
// "plain" reports, each about something else, which each get a card of their
// own. Timers are fired as the clock passes them, so the cost of refreshing
// the parent's card is included. The figure to read is ns/report.
func BenchmarkStorm(b *testing.B) {
	for _, c := range []struct {
		name string
		text func(i int) string
	}{
		{"grouped", func(i int) string {
			if i%2 == 0 {
				return "El servidor de correo está caído, no puedo enviar ni recibir"
			}
			return "el correo está caído, no puedo enviar"
		}},
		{"plain", func(i int) string { return fmt.Sprintf("equipo%d pantalla%d teclado%d", i, i, i) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			var spent time.Duration
			for range b.N {
				e := newEnv(b, "major_incidents: {window: 15m, threshold: 3, similarity: 0.5}\n", mexico(b, "2026-11-23 10:00"))
				start := time.Now()
				for i := range *stormReports {
					e.customer(fmt.Sprintf("user%d@client.example", i), "es", "outage", c.text(i))
					e.drain()
					e.clk.Advance(10 * time.Millisecond)
					e.fire()
				}
				e.clk.Advance(time.Minute)
				e.fire()
				spent += time.Since(start)
			}
			b.ReportMetric(float64(spent.Nanoseconds())/float64(b.N**stormReports), "ns/report")
		})
	}
}
