package main

import (
	"bytes"
	"fmt"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/intake-support/intake/channels/slack/slackfake"
)

var cardIncident = regexp.MustCompile(`INC-\d+`)

// chaosSlack429 runs the gateway in Slack HTTP mode against slackfake, which
// answers every chat.postMessage and chat.update with 429 and Retry-After: 1
// for storm, while n customers post urgent requests in the intake channel.
// After the storm each request must get one answer in its thread and its
// incident one card in the tier channel. Recover is from the end of the storm
// to the last answer and card.
func chaosSlack429(t *testing.T, n int, storm time.Duration) chaosRow {
	fake := slackfake.New(t)
	cfg := exampleConfig(t)
	replaceSMTPPort(t, cfg)
	replaceInConfig(t, cfg, map[string]string{
		`api_url: ""`: fmt.Sprintf("api_url: %q", fake.APIURL()),
		// The urgent requests are alike: grouped as a major incident, they
		// would share one card; this row wants one card per incident.
		"threshold: 10 ": "threshold: 1000 ",
	})
	const secret = "chaos-secret"
	g := startServe(t, cfg, "SLACK_BOT_TOKEN=xoxb-chaos", "SLACK_SIGNING_SECRET="+secret)
	g.waitReady(t)
	fake.Limit(1 << 30)
	stormEnd := time.Now().Add(storm)
	sent, acked := map[string]bool{}, map[string]bool{}
	for i := range n {
		ts := fmt.Sprintf("1800000000.%06d", i+1)
		body := slackfake.EventBody(fmt.Sprintf("Ev%d", i), map[string]any{
			"type": "message", "channel": "C0SUPPORT", "user": fmt.Sprintf("UCUST%d", i), "ts": ts,
			"text": fmt.Sprintf("URGENTE caso %d: se cayó el sistema de facturación, nadie puede trabajar en toda la oficina", i),
		})
		sent[ts] = true
		for try := 0; try < 20 && !acked[ts]; try++ {
			req, err := http.NewRequest(http.MethodPost, "http://"+g.addr+"/slack/events", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			slackfake.Sign(req, body, secret, time.Now())
			if resp, err := http.DefaultClient.Do(req); err == nil {
				acked[ts] = resp.StatusCode == http.StatusOK
				resp.Body.Close()
			}
		}
	}
	time.Sleep(time.Until(stormEnd))
	fake.Limit(0)
	recovered := time.Now()
	count := func() (answers map[string]int, cards map[string]int) {
		answers, cards = map[string]int{}, map[string]int{}
		for _, c := range fake.Calls("chat.postMessage") {
			switch ch := c.Form.Get("channel"); {
			case ch == "C0SUPPORT" && sent[c.Form.Get("thread_ts")]:
				answers[c.Form.Get("thread_ts")]++
			case ch == "C0L3" && c.Form.Get("blocks") != "":
				cards[cardIncident.FindString(c.Form.Get("text")+c.Form.Get("blocks"))]++
			}
		}
		return answers, cards
	}
	var lost int
	var done time.Time
	for deadline := recovered.Add(60 * time.Second); ; {
		answers, cards := count()
		lost = max(0, len(acked)-len(cards))
		for ts := range acked {
			if answers[ts] == 0 {
				lost++
			}
		}
		if lost == 0 {
			done = time.Now()
			break
		}
		if time.Now().After(deadline) {
			t.Logf("%d answers or cards missing 60s after the storm; logs:\n%s", lost, g.logs.String())
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(1500 * time.Millisecond) // room for a duplicate to show (Retry-After is 1 s)
	dups := 0
	answers, cards := count()
	for key, c := range mergeCounts(answers, cards) {
		if c > 1 {
			dups += c - 1
			t.Logf("%s posted %d times", key, c)
		}
	}
	t.Logf("slackfake: %d chat.postMessage requests, %d accepted", fake.Attempts(), len(fake.Calls("chat.postMessage")))
	g.stop(t)
	var rec time.Duration
	if !done.IsZero() {
		rec = done.Sub(recovered)
	}
	return chaosRow{sent: len(sent), acked: len(acked), lost: lost, dups: dups, recover: rec}
}

func mergeCounts(ms ...map[string]int) map[string]int {
	out := map[string]int{}
	for _, m := range ms {
		for k, v := range m {
			out[k] += v
		}
	}
	return out
}
