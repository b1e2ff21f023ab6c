package httpapi

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/store"
)

// A cursor is opaque to clients: base64url of "UNIXNANO:ID", the position of
// the last incident of the previous page.

func encodeCursor(p store.Position) string {
	raw := strconv.FormatInt(p.CreatedAt.UnixNano(), 10) + ":" + string(p.ID)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

var errCursor = errors.New("not a cursor from this API")

func decodeCursor(c string) (store.Position, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return store.Position{}, errCursor
	}
	ns, id, ok := strings.Cut(string(raw), ":")
	if !ok {
		return store.Position{}, errCursor
	}
	n, err := strconv.ParseInt(ns, 10, 64)
	if err != nil {
		return store.Position{}, errCursor
	}
	inc, ok := intake.ParseIncidentID(id)
	if !ok {
		return store.Position{}, errCursor
	}
	return store.Position{CreatedAt: time.Unix(0, n).UTC(), ID: inc}, nil
}

// nextURL is the request's path and query with cursor replaced by next.
func nextURL(r *http.Request, next string) string {
	q := r.URL.Query()
	q.Set("cursor", next)
	return r.URL.Path + "?" + q.Encode()
}

// bearer returns the token of an Authorization header using the Bearer
// scheme, whose name is case-insensitive (RFC 9110 section 11.1).
func bearer(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}
