package discordtest

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Message is a message the bot posted through POST /channels/{id}/messages.
type Message struct {
	ID        string
	ChannelID string
	Content   string
	Nonce     string
	// AllowedMentions is the decoded allowed_mentions object, nil when the
	// request had none (Discord then parses every mention in Content).
	AllowedMentions *AllowedMentions
	// Buttons are the buttons of all action rows, in order.
	Buttons []Button
	// Body is the request body as sent.
	Body json.RawMessage
}

// AllowedMentions is Discord's allowed_mentions object.
type AllowedMentions struct {
	Parse       []string `json:"parse"`
	Users       []string `json:"users"`
	Roles       []string `json:"roles"`
	RepliedUser bool     `json:"replied_user"`
}

// NotifiesNobody reports whether the object lets no mention ping anyone.
func (a *AllowedMentions) NotifiesNobody() bool {
	return a != nil && len(a.Parse) == 0 && len(a.Users) == 0 && len(a.Roles) == 0 && !a.RepliedUser
}

// Button is a button component of a posted message.
type Button struct {
	CustomID string `json:"custom_id"`
	Label    string `json:"label"`
	Style    int    `json:"style"`
}

// Thread is a thread the bot started from a message.
type Thread struct {
	ID, ParentID, MessageID, Name string
}

// InteractionResponse is an answer to an interaction.
type InteractionResponse struct {
	InteractionID, Token string
	Type                 discordgo.InteractionResponseType
	Content              string
	Flags                discordgo.MessageFlags
}

// failure is an injected error answer for a message POST.
type failure struct {
	skip       int // successful POSTs to let through first
	status     int
	retryAfter time.Duration
	body       map[string]any
}

// RateLimitAfter lets n message POSTs through, then answers the next one
// 429 with Retry-After and X-RateLimit headers asking to wait d.
func (s *Server) RateLimitAfter(n int, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, failure{skip: n, status: http.StatusTooManyRequests, retryAfter: d,
		body: map[string]any{"message": "You are being rate limited.", "retry_after": d.Seconds(), "global": false}})
}

// FailNext makes the next POST /channels/{id}/messages answer status with a
// Discord error body carrying code.
func (s *Server) FailNext(status, code int, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, failure{status: status, body: map[string]any{"message": msg, "code": code}})
}

// Messages returns the messages the bot posted, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Threads returns the threads the bot started, oldest first.
func (s *Server) Threads() []Thread {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Thread(nil), s.threads...)
}

// InteractionResponses returns the answers to interactions, oldest first.
func (s *Server) InteractionResponses() []InteractionResponse {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]InteractionResponse(nil), s.responses...)
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ws/", s.serveGateway)
	mux.HandleFunc("GET /api/v9/gateway", s.gatewayInfo)
	mux.HandleFunc("GET /api/v9/gateway/bot", s.gatewayInfo)
	mux.HandleFunc("GET /api/v9/users/@me", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.bot)
	})
	mux.HandleFunc("GET /api/v9/applications/@me", func(w http.ResponseWriter, _ *http.Request) {
		// Flag 1<<19: the Message Content intent is switched on (limited,
		// as for a bot in fewer than 100 servers).
		flags := 1 << 19
		if s.noPrivileged {
			flags = 0
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": s.bot.ID, "name": "intake", "flags": flags})
	})
	mux.HandleFunc("POST /api/v9/users/@me/channels", s.createDM)
	mux.HandleFunc("GET /api/v9/channels/{id}", s.getChannel)
	mux.HandleFunc("POST /api/v9/channels/{id}/messages", s.postMessage)
	mux.HandleFunc("POST /api/v9/channels/{id}/messages/{mid}/threads", s.startThread)
	mux.HandleFunc("POST /api/v9/interactions/{id}/{token}/callback", s.interactionCallback)
	return authorized(mux)
}

// authorized answers 401 to REST calls without a bot token, as Discord does.
func authorized(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/ws/" && r.Header.Get("Authorization") == "" {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "401: Unauthorized", "code": 0})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) getChannel(w http.ResponseWriter, r *http.Request) {
	ch, ok := s.channel(r.PathValue("id"))
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "Unknown Channel", "code": 10003})
		return
	}
	writeJSON(w, http.StatusOK, ch)
}

func (s *Server) createDM(w http.ResponseWriter, r *http.Request) {
	var p struct {
		RecipientID string `json:"recipient_id"`
	}
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil || p.RecipientID == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Invalid Form Body", "code": 50035})
		return
	}
	s.mu.Lock()
	for _, c := range s.channels {
		if c.Type == discordgo.ChannelTypeDM && len(c.Recipients) == 1 && c.Recipients[0].ID == p.RecipientID {
			ch := *c
			s.mu.Unlock()
			writeJSON(w, http.StatusOK, ch)
			return
		}
	}
	s.mu.Unlock()
	ch, _ := s.channel(s.AddDM(p.RecipientID))
	writeJSON(w, http.StatusOK, ch)
}

// takeFailure pops an injected failure, if any.
func (s *Server) takeFailure() (failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.failures) == 0 {
		return failure{}, false
	}
	if s.failures[0].skip > 0 {
		s.failures[0].skip--
		return failure{}, false
	}
	f := s.failures[0]
	s.failures = s.failures[1:]
	return f, true
}

func (s *Server) postMessage(w http.ResponseWriter, r *http.Request) {
	channelID := r.PathValue("id")
	if f, ok := s.takeFailure(); ok {
		if f.status == http.StatusTooManyRequests {
			secs := f.retryAfter.Seconds()
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(secs))))
			w.Header().Set("X-RateLimit-Limit", "5")
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset-After", strconv.FormatFloat(secs, 'f', 3, 64))
			w.Header().Set("X-RateLimit-Bucket", "discordtest-messages")
			w.Header().Set("X-RateLimit-Scope", "user")
		}
		writeJSON(w, f.status, f.body)
		return
	}
	if _, ok := s.channel(channelID); !ok {
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "Unknown Channel", "code": 10003})
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": err.Error(), "code": 50035})
		return
	}
	var p struct {
		Content         string           `json:"content"`
		Nonce           string           `json:"nonce"`
		EnforceNonce    bool             `json:"enforce_nonce"`
		AllowedMentions *AllowedMentions `json:"allowed_mentions"`
		Components      []struct {
			Components []Button `json:"components"`
		} `json:"components"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Invalid Form Body", "code": 50035})
		return
	}
	if n := len([]rune(p.Content)); n > 2000 {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": fmt.Sprintf("content: %d characters, must be 2000 or fewer", n), "code": 50035})
		return
	}
	s.mu.Lock()
	if i, ok := s.nonces[channelID+"/"+p.Nonce]; ok && p.EnforceNonce && p.Nonce != "" {
		m := s.messages[i]
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, s.wireMessage(m))
		return
	}
	m := Message{ID: s.NewID(), ChannelID: channelID, Content: p.Content, Nonce: p.Nonce,
		AllowedMentions: p.AllowedMentions, Body: body}
	for _, row := range p.Components {
		m.Buttons = append(m.Buttons, row.Components...)
	}
	s.messages = append(s.messages, m)
	s.notifyLocked()
	if p.Nonce != "" {
		s.nonces[channelID+"/"+p.Nonce] = len(s.messages) - 1
	}
	s.mu.Unlock()
	wire := s.wireMessage(m)
	writeJSON(w, http.StatusOK, wire)
	// Discord echoes the bot's own messages on the gateway.
	s.Dispatch("MESSAGE_CREATE", wire)
}

func (s *Server) wireMessage(m Message) discordgo.Message {
	ch, _ := s.channel(m.ChannelID)
	bot := s.bot
	return discordgo.Message{ID: m.ID, ChannelID: m.ChannelID, GuildID: ch.GuildID, Content: m.Content,
		Author: &bot, Timestamp: time.Now().UTC().Truncate(time.Millisecond), Type: discordgo.MessageTypeDefault}
}

// startThread starts a public thread from a message; like Discord, the thread
// has the ID of the message it starts from.
func (s *Server) startThread(w http.ResponseWriter, r *http.Request) {
	parentID, messageID := r.PathValue("id"), r.PathValue("mid")
	var p discordgo.ThreadStart
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil || p.Name == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Invalid Form Body", "code": 50035})
		return
	}
	parent, ok := s.channel(parentID)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "Unknown Channel", "code": 10003})
		return
	}
	if _, exists := s.channel(messageID); exists {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "A thread has already been created for this message", "code": 160004})
		return
	}
	th := discordgo.Channel{ID: messageID, GuildID: parent.GuildID, ParentID: parentID, Name: p.Name,
		Type: discordgo.ChannelTypeGuildPublicThread}
	s.AddChannel(th)
	s.mu.Lock()
	s.threads = append(s.threads, Thread{ID: th.ID, ParentID: parentID, MessageID: messageID, Name: p.Name})
	s.notifyLocked()
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, th)
}

func (s *Server) interactionCallback(w http.ResponseWriter, r *http.Request) {
	var p struct {
		Type discordgo.InteractionResponseType `json:"type"`
		Data *struct {
			Content string                 `json:"content"`
			Flags   discordgo.MessageFlags `json:"flags"`
		} `json:"data"`
	}
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil || p.Type == 0 {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Invalid Form Body", "code": 50035})
		return
	}
	resp := InteractionResponse{InteractionID: r.PathValue("id"), Token: r.PathValue("token"), Type: p.Type}
	if p.Data != nil {
		resp.Content, resp.Flags = p.Data.Content, p.Data.Flags
	}
	s.mu.Lock()
	s.responses = append(s.responses, resp)
	s.notifyLocked()
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}
