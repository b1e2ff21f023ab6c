package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/bwmarrin/discordgo"
)

// Application flags that say the Message Content intent is switched on in
// the developer portal: for verified bots, and for bots in fewer than 100
// servers.
const (
	flagGatewayMessageContent        = 1 << 18
	flagGatewayMessageContentLimited = 1 << 19
)

// CheckIntents asks Discord for the bot's application (GET
// /applications/@me) and returns an error when the privileged Message
// Content intent is not switched on, or when the token is refused.
func CheckIntents(ctx context.Context, cfg Config) error {
	a, err := New(cfg, nil)
	if err != nil {
		return err
	}
	endpoint := discordgo.EndpointApplication("@me")
	body, err := a.session.RequestWithBucketID(http.MethodGet, endpoint, nil, endpoint, discordgo.WithContext(ctx))
	if err != nil {
		if rejected(err) {
			return explainRejection(err)
		}
		return fmt.Errorf("discord: read the application: %w", err)
	}
	var app struct {
		Flags int `json:"flags"`
	}
	if err := json.Unmarshal(body, &app); err != nil {
		return fmt.Errorf("discord: decode the application: %w", err)
	}
	if app.Flags&(flagGatewayMessageContent|flagGatewayMessageContentLimited) == 0 {
		return fmt.Errorf("the bot's Message Content intent is off, so Discord would close the gateway with 4014: switch on \"Message Content Intent\" under Bot > Privileged Gateway Intents in the developer portal")
	}
	return nil
}
