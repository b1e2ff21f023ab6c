package config

import "time"

// Channels holds the channel adapters; a channel without its essential
// setting (email address, Slack bot token, Discord token) is off.
type Channels struct {
	Email   Email   `yaml:"email"`
	Slack   Slack   `yaml:"slack"`
	Discord Discord `yaml:"discord"`
}

// The TLS modes of a mail connection.
const (
	TLSImplicit = "implicit"
	TLSStartTLS = "starttls"
	TLSNone     = "none"
)

// Email configures the email channel: intake by IMAP and/or an SMTP
// listener, replies by SMTP or as .eml files in a folder.
type Email struct {
	// Address is the support address customers write to; empty turns email off.
	Address    string     `yaml:"address"`
	IMAP       IMAP       `yaml:"imap"`
	SMTPListen SMTPListen `yaml:"smtp_listen"`
	SMTPOut    SMTPOut    `yaml:"smtp_out"`
	// OutboxDir, instead of SMTPOut, receives each outgoing mail as an .eml
	// file (absolute path).
	OutboxDir string `yaml:"outbox_dir"`
	// ThreadWindow: a message from a sender with an open incident updated
	// within this window joins it when nothing else threads it.
	ThreadWindow time.Duration `yaml:"thread_window"`
	// MaxSize is the largest message accepted from IMAP.
	MaxSize Size `yaml:"max_size"`
	// MaxAttachment is the largest attachment read; larger ones are listed
	// by name and type only.
	MaxAttachment Size      `yaml:"max_attachment"`
	RateLimit     RateLimit `yaml:"rate_limit"`
}

// Enabled reports whether the email channel is on.
func (e Email) Enabled() bool { return e.Address != "" }

// IMAP is the mailbox intake reads; off when Addr is empty.
type IMAP struct {
	Addr     string `yaml:"addr"`
	TLS      string `yaml:"tls"`
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	// OAuth2, instead of Password, logs in with an access token.
	OAuth2 OAuth2 `yaml:"oauth2"`
	// Mailbox is read; DoneMailbox receives stored messages (empty: they are
	// flagged \Seen and stay); FailedMailbox receives messages that cannot
	// be normalized (empty: they are flagged and stay).
	Mailbox       string `yaml:"mailbox"`
	DoneMailbox   string `yaml:"done_mailbox"`
	FailedMailbox string `yaml:"failed_mailbox"`
	// PollInterval is how often the mailbox is polled when IDLE is unavailable.
	PollInterval time.Duration `yaml:"poll_interval"`
}

// Enabled reports whether IMAP intake is on.
func (i IMAP) Enabled() bool { return i.Addr != "" }

// SMTPListen is the SMTP server that receives mail; off when Addr is empty.
type SMTPListen struct {
	Addr string `yaml:"addr"`
	// Domains are the recipient domains accepted; others get 550.
	Domains []string `yaml:"domains"`
	// MaxSize is the largest message accepted; larger ones get 552.
	MaxSize Size `yaml:"max_size"`
	// MaxConnections and MaxConnectionsPerIP bound the open connections;
	// one more is answered 421 and closed.
	MaxConnections      int `yaml:"max_connections"`
	MaxConnectionsPerIP int `yaml:"max_connections_per_ip"`
	// IdleTimeout is how long the server waits for the client's next line.
	IdleTimeout time.Duration `yaml:"idle_timeout"`
	// SessionTimeout bounds a whole connection, however busy (NOOP included).
	SessionTimeout time.Duration `yaml:"session_timeout"`
	// SpoolDir receives each DATA over 64 KiB as a file while it arrives
	// (smaller ones stay in memory, within 8 MiB for all sessions) (absolute
	// path; empty: the system's temporary folder).
	SpoolDir string `yaml:"spool_dir"`
	// ParseMemory bounds the bytes of spooled mail parsed at once; a mail
	// waits for its turn beyond it.
	ParseMemory Size `yaml:"parse_memory"`
}

// Enabled reports whether the SMTP listener is on.
func (s SMTPListen) Enabled() bool { return s.Addr != "" }

// SMTPOut is the relay replies are sent through; off when Addr is empty.
type SMTPOut struct {
	Addr string `yaml:"addr"`
	TLS  string `yaml:"tls"`
	// Username and Password authenticate (AUTH PLAIN) when Username is set.
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	// OAuth2, instead of Password, authenticates with an access token.
	OAuth2 OAuth2 `yaml:"oauth2"`
}

// Enabled reports whether replies go through an SMTP relay.
func (s SMTPOut) Enabled() bool { return s.Addr != "" }

// RateLimit bounds automatic replies to one sender: beyond Messages within
// Per, messages are recorded but not answered.
type RateLimit struct {
	Messages int           `yaml:"messages"`
	Per      time.Duration `yaml:"per"`
}

// Slack configures the Slack channel and the agents' desk; off when
// BotToken is empty.
type Slack struct {
	BotToken string `yaml:"bot_token"`
	// AppToken set: Socket Mode.
	AppToken string `yaml:"app_token"`
	// SigningSecret without AppToken: HTTP mode (/slack/events, /slack/interactions).
	SigningSecret string `yaml:"signing_secret"`
	// IntakeChannels are where customers write; DMs to the bot always count.
	IntakeChannels []string `yaml:"intake_channels"`
	// KnowledgeChannel receives the summaries of resolved tier III incidents.
	KnowledgeChannel string `yaml:"knowledge_channel"`
	// ManagerChannel receives notify steps and warnings for managers.
	ManagerChannel string `yaml:"manager_channel"`
	// Agents are the user group or user IDs allowed to act on cards.
	Agents []string `yaml:"agents"`
	// NotePrefix marks an agent's thread reply as an internal note.
	NotePrefix string `yaml:"note_prefix"`
	// APIURL points the client at another Web API server; it ends with "/".
	APIURL string `yaml:"api_url"`
}

// Enabled reports whether Slack is on.
func (s Slack) Enabled() bool { return s.BotToken != "" }

// SocketMode reports whether Slack runs over Socket Mode rather than HTTP.
func (s Slack) SocketMode() bool { return s.AppToken != "" }

// Discord configures the Discord channel; off when Token is empty.
type Discord struct {
	Token string `yaml:"token"`
	// IntakeChannels are channel IDs where customers write; DMs always count.
	IntakeChannels []string `yaml:"intake_channels"`
	// APIURL and GatewayURL point the client at other servers (tests, proxies).
	APIURL     string `yaml:"api_url"`
	GatewayURL string `yaml:"gateway_url"`
}

// Enabled reports whether Discord is on.
func (d Discord) Enabled() bool { return d.Token != "" }
