package intake

import "errors"

// Status is where an incident stands in its life.
type Status string

// The statuses of an incident. New incidents start in StatusNew, go through
// Level I triage, may wait for the customer, are escalated to a human tier,
// claimed by an agent, resolved and finally closed. A resolved or closed
// incident can be reopened into triage when the customer writes again.
const (
	StatusNew              Status = "new"
	StatusTriage           Status = "triage"
	StatusAwaitingCustomer Status = "awaiting_customer"
	StatusEscalated        Status = "escalated"
	StatusClaimed          Status = "claimed"
	StatusResolved         Status = "resolved"
	StatusClosed           Status = "closed"
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{StatusNew, StatusTriage, StatusAwaitingCustomer, StatusEscalated, StatusClaimed, StatusResolved, StatusClosed}

// ErrInvalidTransition is returned when a status change is not allowed.
var ErrInvalidTransition = errors.New("invalid status transition")

var transitions = map[Status][]Status{
	StatusNew:              {StatusTriage, StatusEscalated, StatusResolved, StatusClosed},
	StatusTriage:           {StatusAwaitingCustomer, StatusEscalated, StatusResolved, StatusClosed},
	StatusAwaitingCustomer: {StatusTriage, StatusEscalated, StatusResolved, StatusClosed},
	StatusEscalated:        {StatusEscalated, StatusClaimed, StatusAwaitingCustomer, StatusResolved, StatusClosed},
	StatusClaimed:          {StatusEscalated, StatusClaimed, StatusAwaitingCustomer, StatusResolved, StatusClosed},
	StatusResolved:         {StatusClosed, StatusTriage, StatusEscalated},
	StatusClosed:           {StatusTriage, StatusEscalated},
}

// Valid reports whether s is one of the known statuses.
func (s Status) Valid() bool {
	_, ok := transitions[s]
	return ok
}

// CanMoveTo reports whether the status machine allows s -> to. Escalated to
// escalated is a move between tiers; claimed to claimed is a reassignment;
// resolved or closed back to triage or escalated is a reopen.
func (s Status) CanMoveTo(to Status) bool {
	for _, t := range transitions[s] {
		if t == to {
			return true
		}
	}
	return false
}
