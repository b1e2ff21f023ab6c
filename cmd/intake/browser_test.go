package main

import (
	"context"
	"io"
	"mime/quotedprintable"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/crypto/bcrypt"
)

// chromium finds Debian's headless browser; under CI=true a missing one
// fails the run instead of skipping the test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium not found: apt-get install -y chromium (scripts/test does)")
	}
	t.Skip("chromium not found: apt-get install -y chromium, or run ./scripts/test")
	return ""
}

// browser is one person's browser: its own cookies.
type browser struct {
	ctx  context.Context
	base string
}

func newBrowser(t *testing.T, exe, base string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.NoFirstRun, chromedp.WindowSize(1280, 860))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Run(ctx, chromedp.EmulateViewport(1280, 860)); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return &browser{ctx: ctx, base: base}
}

func (b *browser) run(t *testing.T, what string, actions ...chromedp.Action) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		var html string
		_ = chromedp.Run(b.ctx, chromedp.OuterHTML("main", &html, chromedp.ByQuery))
		t.Fatalf("%s: %v\npage: %.1500s", what, err, html)
	}
}

// runSettled is run for steps that a live update may overtake: the page
// swaps in a fresh copy of the incident when its timeline changes (after a
// note, say), and a node found just before the swap is gone when it is
// clicked or typed in. Such a step did nothing yet, so it is tried again.
func (b *browser) runSettled(t *testing.T, what string, actions ...chromedp.Action) {
	t.Helper()
	for try := 1; ; try++ {
		ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
		err := chromedp.Run(ctx, actions...)
		cancel()
		if err == nil {
			return
		}
		if try == 3 || !strings.Contains(err.Error(), "Could not find node") {
			b.run(t, what, chromedp.ActionFunc(func(context.Context) error { return err }))
			return
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func (b *browser) signIn(t *testing.T, email, password string) {
	t.Helper()
	b.run(t, "sign in as "+email,
		chromedp.Navigate(b.base+"/desk/login?lang=en"),
		chromedp.SendKeys("#email", email, chromedp.ByID),
		chromedp.SendKeys("#password", password, chromedp.ByID),
		chromedp.Click(`button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-live="queue"]`, chromedp.ByQuery),
	)
}

// noReload marks the page; stillSame fails if it was reloaded since.
func (b *browser) noReload(t *testing.T) {
	b.run(t, "mark the page", chromedp.Evaluate(`window.intakeMark = 42`, nil))
}

func (b *browser) stillSame(t *testing.T) {
	t.Helper()
	var mark int
	b.run(t, "read the mark", chromedp.Evaluate(`window.intakeMark || 0`, &mark))
	if mark != 42 {
		t.Errorf("the page was reloaded (mark %d): the change should have arrived live", mark)
	}
}

// screenshot saves the window (or the full page) to
// $INTAKE_SCREENSHOTS/name.png when set (how docs/screenshots are made).
func (b *browser) screenshot(t *testing.T, name string, full bool) {
	t.Helper()
	dir := os.Getenv("INTAKE_SCREENSHOTS")
	if dir == "" {
		return
	}
	var png []byte
	shot := chromedp.CaptureScreenshot(&png)
	if full {
		shot = chromedp.FullScreenshot(&png, 100) // quality 100: PNG
	}
	b.run(t, "screenshot "+name, shot)
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserDesk drives the example configuration's web desk in headless
// Chromium: an emailed incident appears live in two agents' queues; one
// claims it (the other sees the claim without reloading), replies and
// resolves; the reply and the survey reach the customer through the
// outbox; the customer's rating shows in the managers' view.
func TestBrowserDesk(t *testing.T) {
	exe := chromium(t)
	cfg := exampleConfig(t)
	smtpAddr := replaceSMTPPort(t, cfg)
	secondAgent(t, cfg)
	g := startServe(t, cfg)
	g.waitReady(t)
	base := "http://" + g.addr

	// One browser per person, so each has its own cookies.
	ana, beto := newBrowser(t, exe, base), newBrowser(t, exe, base)
	ana.signIn(t, "agent@example.com", "demo-agent1")
	beto.signIn(t, "beto@example.com", "demo-agent2")
	ana.noReload(t)
	beto.noReload(t)

	mail := "From: Carla Ruiz <carla@cliente.example>\r\nTo: soporte@example.com\r\nSubject: El ERP no guarda las facturas\r\n" +
		"Message-ID: <carla-1@cliente.example>\r\nDate: Mon, 30 Nov 2026 10:00:00 -0600\r\n\r\n" +
		"Hola, quiero hablar con una persona: el ERP da error al guardar facturas desde esta mañana y tenemos cierre hoy.\r\n"
	if err := smtp.SendMail(smtpAddr, nil, "carla@cliente.example", []string{"soporte@example.com"}, []byte(mail)); err != nil {
		t.Fatalf("SendMail: %v", err)
	}
	row := `tr[data-incident="INC-000001"]`
	ana.run(t, "the mailed incident appears in the queue", chromedp.WaitVisible(row+".unclaimed", chromedp.ByQuery))
	beto.run(t, "and in the second agent's queue", chromedp.WaitVisible(row+".unclaimed", chromedp.ByQuery))
	ana.stillSame(t)
	// Two more customers, so that the queue has something to sort.
	for i, m := range []struct{ from, subject, body string }{
		{"john@partner.example", "Cannot reach the file server", "I want to talk to a person: the file server has been unreachable since this morning."},
		{"luisa@cliente.example", "Urgente: no funciona la VPN", "Necesito hablar con alguien, la VPN no conecta y es urgente."},
	} {
		mail := "From: " + m.from + "\r\nTo: soporte@example.com\r\nSubject: " + m.subject + "\r\nMessage-ID: <more-" + strconv.Itoa(i) +
			"@cliente.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + m.body + "\r\n"
		if err := smtp.SendMail(smtpAddr, nil, m.from, []string{"soporte@example.com"}, []byte(mail)); err != nil {
			t.Fatalf("SendMail: %v", err)
		}
	}
	ana.run(t, "three incidents in the queue", chromedp.WaitVisible(`tbody tr:nth-child(3)`, chromedp.ByQuery))
	ana.screenshot(t, "queue", false)

	ana.run(t, "open and claim",
		chromedp.Click(row+" a", chromedp.ByQuery),
		chromedp.WaitVisible(`form[action$="/claim"] button`, chromedp.ByQuery),
		chromedp.Click(`form[action$="/claim"] button`, chromedp.ByQuery),
		chromedp.WaitVisible(`.status.s-claimed`, chromedp.ByQuery))
	beto.run(t, "the second agent sees the claim live", chromedp.WaitVisible(row+".claimed", chromedp.ByQuery))
	beto.stillSame(t)

	reply := "Hola Carla, ya vi el error: es el certificado del servidor de facturación. Lo renuevo ahora."
	ana.runSettled(t, "reply to the customer",
		chromedp.SetValue("#reply-text", reply, chromedp.ByID),
		chromedp.Click(`form[action$="/reply"] button`, chromedp.ByQuery))
	ana.run(t, "the reply shows", chromedp.WaitVisible(`.msg.agent`, chromedp.ByQuery))
	ana.runSettled(t, "internal note",
		chromedp.SetValue("#note-text", "Certificado vencido el 29/11; avisar a infraestructura.", chromedp.ByID),
		chromedp.Click(`form[action$="/note"] button`, chromedp.ByQuery))
	ana.run(t, "the note shows", chromedp.WaitVisible(`.msg.note`, chromedp.ByQuery))
	ana.screenshot(t, "incident", true)
	ana.runSettled(t, "resolve",
		chromedp.SetValue("#resolution", "Renovado el certificado del servidor de facturación.", chromedp.ByID),
		chromedp.Click(`form[action$="/resolve"] button`, chromedp.ByQuery),
		chromedp.WaitVisible(`.status.s-resolved`, chromedp.ByQuery))

	outbox := filepath.Join(filepath.Dir(cfg), "outbox")
	waitOutbox(t, outbox, "Lo renuevo ahora", g)
	waitOutbox(t, outbox, "rate:5", g)
	rating := "From: Carla Ruiz <carla@cliente.example>\r\nTo: soporte@example.com\r\nSubject: Re: El ERP no guarda las facturas [INC-000001]\r\n" +
		"Message-ID: <carla-2@cliente.example>\r\nIn-Reply-To: <carla-1@cliente.example>\r\nDate: Mon, 30 Nov 2026 11:00:00 -0600\r\n\r\n5\r\n"
	if err := smtp.SendMail(smtpAddr, nil, "carla@cliente.example", []string{"soporte@example.com"}, []byte(rating)); err != nil {
		t.Fatalf("SendMail rating: %v", err)
	}

	marta := newBrowser(t, exe, base)
	marta.signIn(t, "manager@example.com", "demo-manager1")
	deadline := time.Now().Add(15 * time.Second)
	for {
		var kpis string
		marta.run(t, "managers' view", chromedp.Navigate(base+"/desk/manage"), chromedp.Text(".kpis", &kpis, chromedp.ByQuery))
		if strings.Contains(kpis, "5.0/5") {
			if !strings.Contains(kpis, "1\nincidents") && !strings.Contains(kpis, "1 incidents") && !strings.Contains(kpis, "1incidents") {
				t.Logf("figures: %q", kpis)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the managers' view never showed the rating; figures: %q", kpis)
		}
		time.Sleep(200 * time.Millisecond)
	}
	marta.run(t, "routing dry-run",
		chromedp.SendKeys("#route-text", "El servidor de base de datos no arranca", chromedp.ByID),
		chromedp.Click(`form[action^="/desk/manage/route"] button`, chromedp.ByQuery),
		chromedp.WaitVisible(`#route-result`, chromedp.ByQuery))
	marta.screenshot(t, "manage", false)
	g.stop(t)
}

// secondAgent adds a second L2 agent, beto@example.com (password
// demo-agent2), to the copied example configuration.
func secondAgent(t *testing.T, cfg string) {
	t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte("demo-agent2"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	anchor := "    - {name: Marta Manager"
	if !strings.Contains(string(b), anchor) {
		t.Fatalf("%s has no %q to add an agent before", cfg, anchor)
	}
	line := `    - {name: Beto Agente, email: beto@example.com, role: agent, tiers: [L2], password_hash: "` + string(hash) + "\"}\n"
	if err := os.WriteFile(cfg, []byte(strings.Replace(string(b), anchor, line+anchor, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
}

// waitOutbox waits for an outgoing mail containing want.
func waitOutbox(t *testing.T, dir, want string, g *gateway) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
		for _, f := range files {
			if b, err := os.ReadFile(f); err == nil && strings.Contains(decodeQP(string(b)), want) {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no mail with %q in %s; logs:\n%s", want, dir, g.logs.String())
}

// decodeQP returns a mail with its quoted-printable body decoded.
func decodeQP(mail string) string {
	head, body, ok := strings.Cut(mail, "\r\n\r\n")
	if !ok {
		head, body, _ = strings.Cut(mail, "\n\n")
	}
	b, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
	if err != nil {
		return mail
	}
	return head + "\n\n" + string(b)
}
