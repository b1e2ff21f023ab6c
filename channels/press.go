package channels

import "github.com/intake-support/intake"

// customerButtons are the actions of the buttons offered to a customer with
// a reply ("did that solve it?"). In a shared channel anyone can see, and
// press, them.
var customerButtons = map[string]bool{"solved": true, "not_solved": true}

// refusedPress says why msg, a press of one of the customer's buttons, must
// not be handled, or returns "" when it may be: only the incident's customer
// may answer for it, and a press that arrives after the incident was resolved
// or closed (an old message's button) must not reopen it.
func refusedPress(inc *intake.Incident, msg *intake.Message) string {
	if !customerButtons[msg.Action] || msg.FromAgent || msg.Channel == intake.ChannelSystem {
		return ""
	}
	if msg.From.Channel != inc.Customer.Channel || msg.From.ID != inc.Customer.ID {
		return "button \"" + msg.Action + "\" pressed by " + msg.From.ID + ", who is not the customer: ignored"
	}
	if inc.Status == intake.StatusResolved || inc.Status == intake.StatusClosed {
		return "button \"" + msg.Action + "\" pressed after the incident was " + string(inc.Status) + ": ignored"
	}
	return ""
}
