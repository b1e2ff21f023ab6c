package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// pageNames are the templates under templates/, each rendered in layout.html.
var pageNames = []string{"login", "queue", "incident", "manage", "error"}

var funcs = template.FuncMap{
	"since": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"short": func(t time.Time) string { return t.UTC().Format("Jan 2 15:04") },
	"dur":   fmtDuration,
	"pct": func(f float64) string {
		return fmt.Sprintf("%.0f%%", f*100)
	},
	"plain": plainMentions,
	// bar is a share (0..1.5) of a bar of full width w, in pixels.
	"bar":         func(share float64, w int) int { return int(share * float64(w)) },
	"barEnd":      func(share float64, w, x int) int { return x + int(share*float64(w)) },
	"rowY":        func(i, off int) int { return i*20 + off },
	"chartHeight": func(n int) int { return n * 20 },
	"slabar": func(median, target time.Duration, pct float64, n int) map[string]any {
		return map[string]any{"Median": median, "Target": target, "Pct": pct, "Count": n}
	},
	"groupsOf": func(title string, g []group) map[string]any { return map[string]any{"Title": title, "Groups": g} },
}

func parsePages() (map[string]*template.Template, error) {
	out := map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// page is what every template gets.
type page struct {
	T     map[string]string
	Lang  string
	User  *User
	CSRF  string
	Title string
	// Switch is this page in the other language.
	Switch string
	Data   any
}

func (a *Adapter) newPage(w http.ResponseWriter, r *http.Request, u *User, title string, data any) *page {
	lang := language(w, r)
	p := &page{T: phrases[lang], Lang: lang, User: u, Title: title, Data: data}
	if u != nil {
		p.CSRF = a.auth.csrf(u.Session)
	}
	q := r.URL.Query()
	q.Set("lang", p.T["other_lang"])
	p.Switch = r.URL.Path + "?" + q.Encode()
	return p
}

// render writes the page, or a plain 500 if the template fails (before
// anything was written, since it renders to a buffer first).
func (a *Adapter) render(w http.ResponseWriter, code int, name string, p *page) {
	a.renderTemplate(w, code, name, "layout.html", p)
}

func (a *Adapter) renderTemplate(w http.ResponseWriter, code int, name, tmpl string, data any) {
	var buf bytes.Buffer
	if err := a.pages[name].ExecuteTemplate(&buf, tmpl, data); err != nil {
		a.log.Error("render page", "page", name, "err", err)
		http.Error(w, "internal error rendering the page", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
	h.Set("Referrer-Policy", "same-origin")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

// fail shows a clear page for a refusal or an error.
func (a *Adapter) fail(w http.ResponseWriter, r *http.Request, u *User, code int, msg string) {
	p := a.newPage(w, r, u, p0(w, r)["refused"], msg)
	if code >= 500 {
		p.Title = p.T["error"]
	}
	a.render(w, code, "error", p)
}

func p0(w http.ResponseWriter, r *http.Request) map[string]string { return phrases[language(w, r)] }

// signedIn lets a request through with its user, or sends the browser to
// the sign-in page.
func (a *Adapter) signedIn(next func(http.ResponseWriter, *http.Request, *User)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cfg := a.config()
		u, err := a.auth.user(r.Context(), &cfg.Web, r)
		switch {
		case errors.Is(err, ErrNoSession) && r.Method == http.MethodGet && r.URL.Path != "/desk/events" && r.URL.Path != "/desk/queue":
			http.Redirect(w, r, "/desk/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		case errors.Is(err, ErrNoSession):
			a.fail(w, r, nil, http.StatusUnauthorized, err.Error())
			return
		case err != nil:
			a.log.Error("check session", "err", err)
			a.fail(w, r, nil, http.StatusInternalServerError, "could not check the session")
			return
		}
		if r.Method == http.MethodPost && !a.auth.checkCSRF(r, u.Session) {
			a.fail(w, r, u, http.StatusForbidden, ErrBadCSRF.Error())
			return
		}
		next(w, r, u)
	})
}

func (a *Adapter) loginPage(w http.ResponseWriter, r *http.Request) {
	a.showLogin(w, r, http.StatusOK, "")
}

// showLogin renders the sign-in form with a fresh form token, kept in a
// short-lived cookie and compared on submit (double submit).
func (a *Adapter) showLogin(w http.ResponseWriter, r *http.Request, code int, problem string) {
	tok, err := randomID()
	if err != nil {
		a.fail(w, r, nil, http.StatusInternalServerError, "could not start a sign-in")
		return
	}
	cfg := a.config()
	http.SetCookie(w, a.auth.cookie(&cfg.Web, loginCookie, tok, a.opts.Clock().Add(time.Hour)))
	p := a.newPage(w, r, nil, "", map[string]string{"Problem": problem, "Next": safeNext(r.FormValue("next"))})
	p.Title = p.T["signin"]
	p.CSRF = tok
	a.render(w, code, "login", p)
}

func (a *Adapter) loginSubmit(w http.ResponseWriter, r *http.Request) {
	cfg := a.config()
	c, err := r.Cookie(loginCookie)
	if err != nil || c.Value == "" || r.PostFormValue("csrf") != c.Value {
		a.showLogin(w, r, http.StatusForbidden, ErrBadCSRF.Error())
		return
	}
	u, err := a.auth.login(&cfg.Web, clientIP(r), r.PostFormValue("email"), r.PostFormValue("password"))
	switch {
	case errors.Is(err, ErrTooManyLogins):
		a.log.Warn("sign-in refused: too many failures", "ip", clientIP(r))
		a.showLogin(w, r, http.StatusTooManyRequests, err.Error())
		return
	case err != nil:
		a.log.Info("sign-in failed", "ip", clientIP(r))
		a.showLogin(w, r, http.StatusUnauthorized, err.Error())
		return
	}
	cookie, err := a.auth.issue(&cfg.Web, u)
	if err != nil {
		a.fail(w, r, nil, http.StatusInternalServerError, "could not start the session")
		return
	}
	http.SetCookie(w, cookie)
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Path: "/", MaxAge: -1})
	a.log.Info("signed in", "user", u.Email, "role", u.Role)
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

func (a *Adapter) logout(w http.ResponseWriter, r *http.Request, u *User) {
	cfg := a.config()
	if err := a.auth.logout(r.Context(), &cfg.Web, u); err != nil {
		a.log.Error("sign out", "err", err)
		a.fail(w, r, u, http.StatusInternalServerError, "could not sign out; try again")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1, HttpOnly: true, Secure: cfg.Web.CookieSecure, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/desk/login", http.StatusSeeOther)
}

// safeNext keeps a redirect after sign-in on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/desk") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/desk"
	}
	return next
}

func fmtDuration(d time.Duration) string {
	neg := d < 0
	if neg {
		d = -d
	}
	var s string
	switch {
	case d < time.Minute:
		s = fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		s = fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		s = fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	default:
		s = fmt.Sprintf("%dd%02dh", int(d.Hours())/24, int(d.Hours())%24)
	}
	if neg {
		return "-" + s
	}
	return s
}

// plainMentions shows Slack mentions (<@U123>) in notices as @U123.
func plainMentions(s string) string {
	for {
		i := strings.Index(s, "<@")
		if i < 0 {
			return s
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			return s
		}
		s = s[:i] + "@" + s[i+2:i+j] + s[i+j+1:]
	}
}
