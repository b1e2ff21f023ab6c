package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/intake-support/intake/triage"
)

// reloadPoll is how often the configuration file is checked for changes.
const reloadPoll = 2 * time.Second

// watchConfig reloads the configuration on SIGHUP and when the file changes.
// A configuration that does not validate is logged and the running one
// stays. What it reloads: the knowledge base and the bot's settings, tiers,
// routing and SLAs; the store, HTTP and channel credentials need a restart.
func (m *Main) watchConfig(ctx context.Context) error {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	tick := time.NewTicker(reloadPoll)
	defer tick.Stop()
	last := m.configStamp
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-hup:
			last = fileStamp(m.Config.File)
			m.reload("SIGHUP")
		case <-tick.C:
			if now := fileStamp(m.Config.File); now != last {
				last = now
				m.reload("file changed")
			}
		}
	}
}

func (m *Main) reload(why string) {
	var problems strings.Builder
	cfg, err := loadConfig(m.Config.File, &problems)
	if err != nil {
		m.Ops.ReloadFailed()
		m.Logger.Error("configuration not reloaded; the running one stays", "why", why, "problems", problems.String(), "err", err)
		return
	}
	k, err := loadKB(cfg)
	if err == nil {
		var bot *triage.Bot
		if bot, err = triage.New(k, cfg.Triage); err == nil {
			if err = m.Desk.Reload(cfg); err == nil {
				m.levelOne.Swap(bot)
				if m.web != nil {
					m.web.Reload(cfg)
				}
			}
		}
	}
	if err != nil {
		m.Ops.ReloadFailed()
		m.Logger.Error("configuration not reloaded; the running one stays", "why", why, "err", err)
		return
	}
	m.Logger.Info("configuration reloaded", "why", why, "file", cfg.File)
}

// fileStamp identifies a version of a file by size and modification time.
func fileStamp(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%d/%d", fi.ModTime().UnixNano(), fi.Size())
}
