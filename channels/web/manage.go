package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/intake-support/intake/store"
)

// manageData is what manage.html shows.
type manageData struct {
	Figures  *figures
	FromDate string
	ToDate   string
	Route    *RouteResult
	RouteErr string
	Text     string
	From     string
	CanRoute bool
}

// managePage is the managers' view: the figures of a period (the last 30
// days unless from and to, YYYY-MM-DD, say otherwise), the routing dry-run
// and the knowledge base's record.
func (a *Adapter) managePage(w http.ResponseWriter, r *http.Request, u *User) {
	if !u.Manager() {
		a.fail(w, r, u, http.StatusForbidden, "the managers' view is for managers")
		return
	}
	d, ok := a.manageData(w, r, u)
	if !ok {
		return
	}
	a.showManage(w, r, u, d)
}

func (a *Adapter) manageData(w http.ResponseWriter, r *http.Request, u *User) (*manageData, bool) {
	now := a.opts.Clock().UTC()
	to := now.Truncate(24 * time.Hour).Add(24 * time.Hour)
	from := to.AddDate(0, 0, -30)
	q := r.URL.Query()
	if s := q.Get("from"); s != "" {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			a.fail(w, r, u, http.StatusBadRequest, "from must be a date such as 2026-11-01")
			return nil, false
		}
		from = t
	}
	if s := q.Get("to"); s != "" {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			a.fail(w, r, u, http.StatusBadRequest, "to must be a date such as 2026-11-30")
			return nil, false
		}
		to = t.Add(24 * time.Hour)
	}
	if !from.Before(to) {
		a.fail(w, r, u, http.StatusBadRequest, "from must come before to")
		return nil, false
	}
	incs, err := a.opts.Store.ListIncidents(r.Context(), store.Filter{})
	if err != nil {
		a.log.Error("managers' view", "err", err)
		a.fail(w, r, u, http.StatusInternalServerError, "could not read the incidents")
		return nil, false
	}
	var articles []Article
	if a.opts.Articles != nil {
		articles = a.opts.Articles()
	}
	return &manageData{Figures: compute(a.config(), incs, articles, from, to), FromDate: from.Format(time.DateOnly),
		ToDate: to.Add(-24 * time.Hour).Format(time.DateOnly), CanRoute: a.opts.Route != nil}, true
}

func (a *Adapter) showManage(w http.ResponseWriter, r *http.Request, u *User, d *manageData) {
	p := a.newPage(w, r, u, "", d)
	p.Title = p.T["manage"]
	a.render(w, http.StatusOK, "manage", p)
}

// routeForm runs the routing dry-run on the pasted message; nothing is sent.
func (a *Adapter) routeForm(w http.ResponseWriter, r *http.Request, u *User) {
	if !u.Manager() {
		a.fail(w, r, u, http.StatusForbidden, "the routing dry-run is for managers")
		return
	}
	if a.opts.Route == nil {
		a.fail(w, r, u, http.StatusNotFound, "the routing dry-run is not available")
		return
	}
	d, ok := a.manageData(w, r, u)
	if !ok {
		return
	}
	d.Text = strings.TrimSpace(r.PostFormValue("text"))
	d.From = strings.TrimSpace(r.PostFormValue("from"))
	if len(d.Text) > maxText {
		a.fail(w, r, u, http.StatusRequestEntityTooLarge, "the message is too long")
		return
	}
	res, err := a.opts.Route(d.Text, d.From)
	if err != nil {
		d.RouteErr = err.Error()
	} else {
		d.Route = &res
	}
	a.showManage(w, r, u, d)
}
