package email

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
	"golang.org/x/sync/semaphore"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/channels/email/mailparse"
)

// smtpServer is the SMTP listener of smtp_listen: it answers 250 to DATA
// only once the inbox has stored the message. Each DATA is spooled as it
// arrives, a small one in memory within a fixed budget and the rest to a
// file, and parsing (which holds a message in memory) takes
// a share of the parse_memory budget, so memory stays bounded however many
// clients send at once.
type smtpServer struct {
	srv   *smtp.Server
	ln    net.Listener
	spool string
	// memSpool is the memory budget of DATA kept in memory (memSpoolBudget).
	memSpool *semaphore.Weighted
	parse    *semaphore.Weighted
	// parseMax is the budget of parse; a larger mail takes all of it.
	parseMax int64
	// journal, when set, takes accepted mail instead of the inbox.
	journal *smtpJournal
}

// SMTP answers of the listener.
var (
	errUnknownDomain = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "recipient domain not served here"}
	errTooLarge      = &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4}, Message: "message exceeds the size limit"}
	errTryLater      = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "temporary failure storing the message; try again later"}
	errNoRecipient   = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 5, 1}, Message: "no valid recipients"}
	// A line over go-smtp's limit is the client's permanent problem
	// (RFC 5321 4.5.3.1.6 answers "500 Line too long"), not a 451.
	errLineTooLong = &smtp.SMTPError{Code: 500, EnhancedCode: smtp.EnhancedCode{5, 5, 2}, Message: "line too long: lines must be at most 998 characters"}
)

func (a *Adapter) smtpMaxSize() int64 {
	if n := int64(a.cfg.SMTPListen.MaxSize); n > 0 {
		return n
	}
	return mailparse.DefaultMaxSize
}

// listenSMTP binds the listener so that a bad address fails Run at once.
func (a *Adapter) listenSMTP(inbox channels.Inbox) (*smtpServer, error) {
	ln, err := net.Listen("tcp", a.cfg.SMTPListen.Addr)
	if err != nil {
		return nil, fmt.Errorf("smtp listen %s: %w", a.cfg.SMTPListen.Addr, err)
	}
	l := a.cfg.SMTPListen
	s := &smtpServer{spool: l.SpoolDir, parseMax: int64(l.ParseMemory), memSpool: semaphore.NewWeighted(memSpoolBudget)}
	if s.spool == "" {
		s.spool = os.TempDir()
	}
	if err := cleanSpool(s.spool); err != nil {
		_ = ln.Close()
		return nil, err
	}
	if s.parseMax > 0 {
		s.parse = semaphore.NewWeighted(s.parseMax)
	}
	if a.opts.journal != "" {
		if s.journal, err = a.openJournal(inbox); err != nil {
			_ = ln.Close()
			return nil, err
		}
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &smtpSession{a: a, srv: s, inbox: inbox}, nil
	}))
	srv.Domain = a.domain
	srv.MaxMessageBytes = a.smtpMaxSize()
	srv.MaxRecipients = 50
	srv.ReadTimeout = l.IdleTimeout
	srv.WriteTimeout = time.Minute
	srv.ErrorLog = slog.NewLogLogger(a.log.Handler(), slog.LevelWarn)
	s.srv = srv
	s.ln = newLimitListener(ln, l.MaxConnections, l.MaxConnectionsPerIP, l.SessionTimeout, time.Now)
	a.mu.Lock()
	a.smtpSrv = s
	a.mu.Unlock()
	return s, nil
}

// serve answers connections until ctx is done, then shuts down gracefully:
// a DATA in progress finishes (and is stored) within the grace period.
func (s *smtpServer) serve(ctx context.Context) error {
	listening, stopped := context.WithCancel(context.Background())
	moved := make(chan struct{})
	if s.journal != nil {
		go func() {
			defer close(moved)
			s.journal.move(listening, 10*time.Second)
		}()
	} else {
		close(moved)
	}
	defer func() {
		stopped()
		<-moved
	}()
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(s.ln) }()
	select {
	case err := <-errc:
		if err != nil {
			return fmt.Errorf("smtp serve: %w", err)
		}
		return nil
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(sctx); err != nil {
		_ = s.srv.Close()
	}
	<-errc
	return nil
}

// store parses one mail and stores it in the journal when there is one,
// else in the inbox (Adapter.ingest).
func (s *smtpSession) store(ctx context.Context, raw io.Reader, max int64) (*intake.Message, error) {
	if s.srv.journal == nil {
		return s.a.ingest(ctx, s.inbox, raw, max)
	}
	msg, err := s.a.normalize(raw, max)
	if err != nil {
		return nil, err
	}
	return msg, s.srv.journal.accept(ctx, msg)
}

// smtpSession is one SMTP transaction sequence.
type smtpSession struct {
	a     *Adapter
	srv   *smtpServer
	inbox channels.Inbox
	from  string
	rcpts int
}

func (s *smtpSession) Reset()        { s.from, s.rcpts = "", 0 }
func (s *smtpSession) Logout() error { return nil }

func (s *smtpSession) Mail(from string, opts *smtp.MailOptions) error {
	if opts != nil && opts.Size > s.a.smtpMaxSize() {
		return errTooLarge
	}
	s.from = from
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	at := strings.LastIndexByte(to, '@')
	if at < 0 || !s.a.servesDomain(to[at+1:]) {
		return errUnknownDomain
	}
	s.rcpts++
	return nil
}

func (a *Adapter) servesDomain(d string) bool {
	d = strings.TrimSuffix(strings.ToLower(d), ".")
	domains := a.cfg.SMTPListen.Domains
	if len(domains) == 0 {
		domains = []string{a.domain}
	}
	for _, x := range domains {
		if strings.EqualFold(strings.TrimSpace(x), d) {
			return true
		}
	}
	return false
}

// Data spools the message (spoolData), parses it within the parse budget,
// stores it and answers 250 only after the inbox has it.
// A null envelope sender becomes "Return-Path: <>", as the final delivery
// MTA would add, so that the normalizer sees a bounce.
func (s *smtpSession) Data(r io.Reader) error {
	defer func() { _, _ = io.Copy(io.Discard, r) }()
	if s.rcpts == 0 {
		return errNoRecipient
	}
	rp := ""
	if s.from == "" {
		rp = "Return-Path: <>\r\n"
	}
	data, err := s.srv.spoolData(rp, r)
	switch {
	case errors.Is(err, smtp.ErrTooLongLine):
		return errLineTooLong
	case errors.Is(err, smtp.ErrDataTooLarge):
		return smtp.ErrDataTooLarge
	case err != nil:
		s.a.log.Warn("smtp message not spooled; answered 451", "err", err)
		return errTryLater
	}
	defer data.close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	release, err := s.srv.parseTurn(ctx, data.size)
	if err != nil {
		s.a.log.Warn("smtp message waited too long to be parsed; answered 451", "err", err)
		return errTryLater
	}
	defer release()
	max := s.a.smtpMaxSize() + int64(len(rp))
	msg, err := s.store(ctx, data.reader(), max)
	var smtpErr *smtp.SMTPError
	var refused *mailparse.RefusedError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &smtpErr):
		return smtpErr
	case errors.Is(err, mailparse.ErrTooLarge):
		return errTooLarge
	case errors.As(err, &refused):
		s.a.log.Info("smtp message refused", "reason", refused.Reason)
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "message refused: " + refused.Reason}
	default:
		id := ""
		if msg != nil {
			id = string(msg.ID)
		}
		s.a.log.Warn("smtp message not stored; answered 451", "id", id, "err", err)
		return errTryLater
	}
}
