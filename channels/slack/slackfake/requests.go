package slackfake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Content types of the two HTTP-mode endpoints.
const (
	JSONType = "application/json"
	FormType = "application/x-www-form-urlencoded"
)

// Sign sets the X-Slack-Request-Timestamp and X-Slack-Signature headers of
// req as Slack does for body with the signing secret at time at.
func Sign(req *http.Request, body []byte, secret string, at time.Time) {
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
}

// Request builds a server-side POST to path carrying body, signed with
// secret at time at.
func Request(path, contentType string, body []byte, secret string, at time.Time) *http.Request {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", contentType)
	Sign(req, body, secret, at)
	return req
}

// EventBody is an Events API event_callback envelope around event.
func EventBody(eventID string, event map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"type": "event_callback", "event_id": eventID, "team_id": "T1", "event": event})
	return b
}

// InteractionBody is the form body Slack posts for an interaction payload.
func InteractionBody(payload map[string]any) []byte {
	b, _ := json.Marshal(payload)
	return []byte(url.Values{"payload": {string(b)}}.Encode())
}

// Click is a block_actions payload of user pressing the button actionID
// (with value) on the message ts in channel; actionTs makes each press
// distinct.
func Click(user, actionID, value, channel, ts, actionTs string) map[string]any {
	return map[string]any{
		"type":       "block_actions",
		"user":       map[string]any{"id": user},
		"trigger_id": "trig-1",
		"channel":    map[string]any{"id": channel},
		"container":  map[string]any{"type": "message", "channel_id": channel, "message_ts": ts},
		"message":    map[string]any{"ts": ts},
		"actions": []map[string]any{{
			"type": "button", "action_id": actionID, "block_id": "actions", "value": value, "action_ts": actionTs,
		}},
	}
}

// ViewSubmission is the view_submission payload of user submitting view,
// as recorded by views.open (Call.JSON["view"]), with every plain-text input
// of its input blocks set to value.
func ViewSubmission(user string, view map[string]any, value string) map[string]any {
	values := map[string]any{}
	blocks, _ := view["blocks"].([]any)
	for _, b := range blocks {
		block, _ := b.(map[string]any)
		if block["type"] != "input" {
			continue
		}
		el, _ := block["element"].(map[string]any)
		if el["type"] != "plain_text_input" {
			continue
		}
		blockID, _ := block["block_id"].(string)
		actionID, _ := el["action_id"].(string)
		values[blockID] = map[string]any{actionID: map[string]any{"type": "plain_text_input", "value": value}}
	}
	return map[string]any{
		"type": "view_submission",
		"user": map[string]any{"id": user},
		"view": map[string]any{
			"id": "V123", "callback_id": view["callback_id"], "private_metadata": view["private_metadata"],
			"state": map[string]any{"values": values},
		},
	}
}
