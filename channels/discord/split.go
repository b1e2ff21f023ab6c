package discord

import (
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/intake-support/intake"
)

// maxContent is Discord's limit on a message's content, in characters.
const maxContent = 2000

// Discord's limits on message components.
const (
	maxButtonsPerRow = 5
	maxRows          = 5
	maxLabel         = 80
	maxCustomID      = 100
)

// mentionBreaker puts a zero-width space into mass mentions. Allowed
// mentions "none" already stops the ping; this keeps the text from reading
// as one and guards against a request that loses the allowed_mentions field.
var mentionBreaker = strings.NewReplacer("@everyone", "@\u200beveryone", "@here", "@\u200bhere")

func neutralize(s string) string { return mentionBreaker.Replace(s) }

// splitText cuts s into parts of at most limit characters, at the last line
// break of a part, else its last space, else anywhere (between characters);
// a break or space used as the cut is dropped. Blank parts are left out.
func splitText(s string, limit int) []string {
	var parts []string
	add := func(p string) {
		if p = strings.TrimRight(p, " \t\r\n"); strings.TrimSpace(p) != "" {
			parts = append(parts, p)
		}
	}
	for {
		// end is where the part's limit falls; at the end of s, s fits.
		end := byteIndexOfRune(s, limit)
		if end >= len(s) {
			break
		}
		window := s[:end]
		// A cut in the first half would make a short part; cut hard instead.
		cut, skip := end, 0
		if i := strings.LastIndexByte(window, '\n'); i > end/2 {
			cut, skip = i, 1
		} else if i := strings.LastIndexAny(window, " \t"); i > end/2 {
			cut, skip = i, 1
		}
		add(s[:cut])
		s = s[cut+skip:]
	}
	add(s)
	return parts
}

// byteIndexOfRune is the byte offset of the n-th rune of s (len(s) if fewer).
func byteIndexOfRune(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// buttonRows lays the buttons out in action rows, five per row; buttons
// Discord would refuse (no action, too long an action, past 25) are left out.
func buttonRows(buttons []intake.Button) []discordgo.MessageComponent {
	var rows []discordgo.MessageComponent
	var row *discordgo.ActionsRow
	for _, b := range buttons {
		if b.Action == "" || len(b.Action) > maxCustomID {
			continue
		}
		if row == nil || len(row.Components) == maxButtonsPerRow {
			if len(rows) == maxRows {
				break
			}
			row = &discordgo.ActionsRow{}
			rows = append(rows, row)
		}
		label := b.Label
		if label == "" {
			label = b.Action
		}
		if r := []rune(label); len(r) > maxLabel {
			label = string(r[:maxLabel-1]) + "…"
		}
		row.Components = append(row.Components, discordgo.Button{
			Label: label, CustomID: b.Action, Style: buttonStyle(b.Action)})
	}
	return rows
}

func buttonStyle(action string) discordgo.ButtonStyle {
	switch action {
	case "solved":
		return discordgo.SuccessButton
	case "not_solved":
		return discordgo.DangerButton
	}
	return discordgo.SecondaryButton
}
