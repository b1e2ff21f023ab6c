package discord

import (
	"errors"
	"fmt"

	"github.com/gorilla/websocket"
)

// reject records and logs why Discord refused the bot for good.
func (a *Adapter) reject(err error) {
	problem := explainRejection(err)
	a.SetConnected(false)
	a.SetProblem(problem)
	a.log.Error("discord rejected the bot; the channel is stopped", "err", problem)
}

// explainRejection turns a gateway close code into what the operator must
// do; the guide is docs/discord.md.
func explainRejection(err error) error {
	var ce *websocket.CloseError
	if !errors.As(err, &ce) {
		return fmt.Errorf("discord refused the bot token (%v): copy the bot's token again from the developer portal (Bot > Reset Token)", err)
	}
	switch ce.Code {
	case 4014:
		return fmt.Errorf("discord closed the gateway with 4014 (disallowed intents): switch on \"Message Content Intent\" under Bot > Privileged Gateway Intents in the developer portal, then restart intake")
	case 4004:
		return fmt.Errorf("discord closed the gateway with 4004 (authentication failed): the token is wrong or was reset; copy it again from the developer portal (Bot > Reset Token)")
	}
	return fmt.Errorf("discord closed the gateway with %d (%s)", ce.Code, ce.Text)
}
