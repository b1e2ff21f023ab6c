package discord

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestGuideInviteCarriesThePermissions: the invite URL in docs/discord.md
// asks for exactly Permissions, and the guide names the privileged intent.
func TestGuideInviteCarriesThePermissions(t *testing.T) {
	data, err := os.ReadFile("../../docs/discord.md")
	if err != nil {
		t.Fatal(err)
	}
	guide := string(data)
	for _, want := range []string{"permissions=" + strconv.FormatInt(Permissions, 10) + "&", "Message Content Intent", "4014"} {
		if !strings.Contains(guide, want) {
			t.Errorf("docs/discord.md lacks %q", want)
		}
	}
}
