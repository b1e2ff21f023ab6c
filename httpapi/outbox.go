package httpapi

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/intake-support/intake/channels"
)

// listDead serves GET /api/v1/outbox/dead: the replies that could not be
// delivered, oldest first.
func (s *Server) listDead(w http.ResponseWriter, r *http.Request) {
	limit := 100
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 1000 {
			writeError(w, http.StatusBadRequest, "limit must be a number from 1 to 1000")
			return
		}
		limit = n
	}
	dead, err := channels.ListDead(r.Context(), s.store, limit)
	if err != nil {
		s.logger.Error("list dead replies", "err", err)
		writeError(w, http.StatusInternalServerError, "could not list the dead-letter queue")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"replies": dead})
}

// retryDead serves POST /api/v1/outbox/dead/{id}/retry: the reply goes
// back to the outbox, which tries it at once.
func (s *Server) retryDead(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	err := channels.RetryDead(r.Context(), s.store, id, "api", time.Now())
	switch {
	case errors.Is(err, channels.ErrNotDead):
		writeError(w, http.StatusNotFound, "reply "+strconv.Quote(id)+" is not in the dead-letter queue")
	case err != nil:
		s.logger.Error("retry dead reply", "reply", id, "err", err)
		writeError(w, http.StatusInternalServerError, "could not retry the reply")
	default:
		s.logger.Info("dead reply sent to the outbox again", "reply", id)
		writeJSON(w, http.StatusOK, map[string]string{"retried": id})
	}
}
