package discordtest

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// writeTimeout bounds a write to a client that stopped reading, so that a
// stuck client fails the test instead of hanging it.
const writeTimeout = 2 * time.Second

// event is one dispatch (op 0) in the session's log.
type event struct {
	seq    int64
	typ    string
	data   json.RawMessage
	replay bool // READY and RESUMED are never replayed
}

func (e event) frame() frame {
	return frame{Op: 0, S: &e.seq, T: e.typ, D: e.data}
}

// frame is a gateway payload.
type frame struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  *int64          `json:"s"`
	T  string          `json:"t,omitempty"`
}

// Identify is the part of an IDENTIFY payload tests look at. (discordgo's
// own Identify type does not decode what discordgo sends: its presence
// field fails to unmarshal.)
type Identify struct {
	Token   string           `json:"token"`
	Intents discordgo.Intent `json:"intents"`
	Shard   *[2]int          `json:"shard"`
	// Raw is the payload as sent.
	Raw json.RawMessage `json:"-"`
}

// privilegedIntents need a switch in the developer portal.
const privilegedIntents = discordgo.IntentsMessageContent | discordgo.IntentsGuildMembers | discordgo.IntentsGuildPresences

// gwConn is one client websocket; writes are serialized.
type gwConn struct {
	ws  *websocket.Conn
	wmu sync.Mutex
}

func (c *gwConn) write(f frame) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	return c.ws.WriteJSON(f)
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage("null")
	}
	return b
}

// serveGateway runs one websocket connection: HELLO, then IDENTIFY or RESUME,
// then heartbeats until the client or DropConnection ends it.
func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &gwConn{ws: ws}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ws.Close()
		return
	}
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		if s.live == c {
			s.live = nil
			s.notifyLocked()
		}
		s.mu.Unlock()
		_ = ws.Close()
	}()

	hello := mustJSON(map[string]any{"heartbeat_interval": s.heartbeat.Milliseconds()})
	if c.write(frame{Op: 10, D: hello}) != nil {
		return
	}
	for {
		var f frame
		if err := ws.ReadJSON(&f); err != nil {
			return
		}
		switch f.Op {
		case 1:
			if c.write(frame{Op: 11}) != nil {
				return
			}
		case 2:
			if !s.identify(c, f.D) {
				return
			}
		case 6:
			s.resume(c, f.D)
		}
	}
}

// identify starts a new session on c: sequence numbers restart at 1 (READY)
// and events of the old session are gone, as on Discord. A wrong token
// closes the connection with 4004 and reports false.
func (s *Server) identify(c *gwConn, d json.RawMessage) bool {
	id := Identify{Raw: d}
	_ = json.Unmarshal(d, &id)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.identifies = append(s.identifies, id)
	if s.token != "" && id.Token != "Bot "+s.token {
		s.notifyLocked()
		c.wmu.Lock()
		_ = c.ws.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(4004, "Authentication failed."), time.Now().Add(writeTimeout))
		c.wmu.Unlock()
		return false
	}
	if s.noPrivileged && id.Intents&privilegedIntents != 0 {
		s.notifyLocked()
		c.wmu.Lock()
		_ = c.ws.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(4014, "Disallowed intent(s)."), time.Now().Add(writeTimeout))
		c.wmu.Unlock()
		return false
	}
	s.sessionID = "session-" + s.NewID()
	s.seq = 1
	s.log = nil
	ready := mustJSON(map[string]any{
		"v":                  9,
		"session_id":         s.sessionID,
		"resume_gateway_url": s.GatewayURL(),
		"user":               s.bot,
		"guilds":             []any{},
		"application":        map[string]any{"id": s.bot.ID},
	})
	s.live = c
	s.notifyLocked()
	_ = c.write(event{seq: 1, typ: "READY", data: ready}.frame())
	return true
}

// resume replays every dispatch after the client's sequence number, then
// sends RESUMED; an unknown session gets op 9 (not resumable).
func (s *Server) resume(c *gwConn, d json.RawMessage) {
	var p struct {
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	_ = json.Unmarshal(d, &p)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resumes++
	s.notifyLocked()
	if p.SessionID == "" || p.SessionID != s.sessionID {
		_ = c.write(frame{Op: 9, D: json.RawMessage("false")})
		return
	}
	for _, ev := range s.log {
		if ev.seq > p.Seq && ev.replay {
			if c.write(ev.frame()) != nil {
				return
			}
			s.replayed++
		}
	}
	// RESUMED carries a sequence number of its own: discordgo stores the
	// sequence of every dispatch, so a null here would reset it to 0.
	s.seq++
	ev := event{seq: s.seq, typ: "RESUMED", data: json.RawMessage(`{"_trace":["discordtest"]}`)}
	s.log = append(s.log, ev)
	s.live = c
	_ = c.write(ev.frame())
}

// gatewayInfo answers GET /gateway and GET /gateway/bot.
func (s *Server) gatewayInfo(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"url":    s.GatewayURL(),
		"shards": 1,
		"session_start_limit": map[string]any{
			"total": 1000, "remaining": 1000 - s.Identifies(), "reset_after": 86_400_000, "max_concurrency": 1,
		},
	})
}
