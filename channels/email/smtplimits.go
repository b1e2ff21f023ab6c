package email

import (
	"net"
	"sync"
	"time"
)

// limitListener caps the open connections of the SMTP listener, in total
// and per client address, and gives each connection a session deadline
// that no command moves: go-smtp sets the read deadline again before every
// line (so a NOOP every few minutes would hold a connection for ever), and
// the deadline set here bounds it. Zero limits are off.
type limitListener struct {
	net.Listener
	max, perIP int
	session    time.Duration
	now        func() time.Time

	mu    sync.Mutex
	total int
	byIP  map[string]int
}

func newLimitListener(ln net.Listener, max, perIP int, session time.Duration, now func() time.Time) *limitListener {
	return &limitListener{Listener: ln, max: max, perIP: perIP, session: session, now: now, byIP: map[string]int{}}
}

// tooMany is written to a connection over a limit before closing it.
const tooMany = "421 4.7.0 too many connections, try again later\r\n"

// Accept returns the next connection within the limits; connections over
// them are answered 421 and closed here.
func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip := hostOf(c.RemoteAddr())
		if !l.take(ip) {
			_ = c.SetWriteDeadline(l.now().Add(5 * time.Second))
			_, _ = c.Write([]byte(tooMany))
			_ = c.Close()
			continue
		}
		lc := &limitConn{Conn: c, l: l, ip: ip}
		if l.session > 0 {
			lc.end = l.now().Add(l.session)
			_ = c.SetDeadline(lc.end)
		}
		return lc, nil
	}
}

func (l *limitListener) take(ip string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if (l.max > 0 && l.total >= l.max) || (l.perIP > 0 && l.byIP[ip] >= l.perIP) {
		return false
	}
	l.total++
	l.byIP[ip]++
	return true
}

func (l *limitListener) release(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.total--
	if l.byIP[ip]--; l.byIP[ip] <= 0 {
		delete(l.byIP, ip)
	}
}

func hostOf(a net.Addr) string {
	if host, _, err := net.SplitHostPort(a.String()); err == nil {
		return host
	}
	return a.String()
}

// limitConn releases its slot once when closed and never lets a deadline
// go past the end of its session.
type limitConn struct {
	net.Conn
	l    *limitListener
	ip   string
	end  time.Time
	once sync.Once
}

func (c *limitConn) Close() error {
	c.once.Do(func() { c.l.release(c.ip) })
	return c.Conn.Close()
}

func (c *limitConn) clamp(t time.Time) time.Time {
	if c.end.IsZero() || (!t.IsZero() && t.Before(c.end)) {
		return t
	}
	return c.end
}

func (c *limitConn) SetDeadline(t time.Time) error      { return c.Conn.SetDeadline(c.clamp(t)) }
func (c *limitConn) SetReadDeadline(t time.Time) error  { return c.Conn.SetReadDeadline(c.clamp(t)) }
func (c *limitConn) SetWriteDeadline(t time.Time) error { return c.Conn.SetWriteDeadline(c.clamp(t)) }
