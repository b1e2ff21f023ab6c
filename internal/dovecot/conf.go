// Package dovecot holds the configuration of a throwaway Dovecot IMAP
// server on loopback, as the email tests and the benchmark harness run it
// (see TESTING.md): plain-text logins, no TLS, maildirs under one folder.
package dovecot

import (
	"strconv"
	"strings"
)

// Template is a dovecot.conf in which "D/" stands for the server's folder
// (its run state, log, users file and maildirs) and PORT for its IMAP
// port; callers may rewrite it further before Expand.
const Template = `base_dir = D/run
state_dir = D/run/state
log_path = D/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:D/mail/%n
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN D/users
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=D/mail/%n
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = PORT
  }
  inet_listener imaps {
    port = 0
  }
}
`

// Expand fills a configuration written like Template in for a server
// keeping its files under dir and listening on 127.0.0.1:port.
func Expand(conf, dir string, port int) string {
	return strings.NewReplacer("D/", dir+"/", "PORT", strconv.Itoa(port)).Replace(conf)
}
