package email

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"

	"github.com/emersion/go-sasl"

	"github.com/intake-support/intake/config"
)

// The SASL mechanisms that carry an OAuth2 token. On a refused token both
// servers send a JSON challenge ({"status":"401",...}) and wait for a dummy
// response before they answer NO (IMAP) or 535 (SMTP); the clients here
// send it, so the connection stays in step, and keep the status for the
// error.
const mechXOAUTH2 = "XOAUTH2"

// oauthSASL is a sasl.Client that remembers why the server refused.
type oauthSASL interface {
	sasl.Client
	// explain adds the server's JSON status, if any, to err.
	explain(err error) error
}

// saslClient returns the client of mechanism mech that presents token as
// user to the server at addr.
func saslClient(mech, user, token, addr string) oauthSASL {
	if mech == config.MechOAuthBearer {
		host, portStr, _ := net.SplitHostPort(addr)
		port, _ := strconv.Atoi(portStr)
		return &oauthBearerClient{Client: sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{
			Username: user, Token: token, Host: host, Port: port})}
	}
	return &xoauth2Client{user: user, token: token}
}

// xoauth2Client is the XOAUTH2 mechanism of Google and Microsoft, which
// go-sasl does not ship: "user=" user ^A "auth=Bearer " token ^A ^A.
type xoauth2Client struct {
	user, token string
	failure     *sasl.OAuthBearerError
}

func (c *xoauth2Client) Start() (string, []byte, error) {
	return mechXOAUTH2, []byte("user=" + c.user + "\x01auth=Bearer " + c.token + "\x01\x01"), nil
}

func (c *xoauth2Client) Next(challenge []byte) ([]byte, error) {
	if c.failure != nil {
		return nil, errors.New("XOAUTH2: unexpected second challenge")
	}
	c.failure = &sasl.OAuthBearerError{}
	if err := json.Unmarshal(challenge, c.failure); err != nil {
		c.failure.Status = "unreadable"
	}
	return []byte{}, nil
}

func (c *xoauth2Client) explain(err error) error { return explainSASL(err, c.failure) }

// oauthBearerClient is go-sasl's OAUTHBEARER (RFC 7628) client, which
// returns the server's error at once instead of sending the dummy response
// ^A that section 3.2.3 asks for.
type oauthBearerClient struct {
	sasl.Client
	failure *sasl.OAuthBearerError
}

func (c *oauthBearerClient) Next(challenge []byte) ([]byte, error) {
	if c.failure != nil {
		return nil, errors.New("OAUTHBEARER: unexpected second challenge")
	}
	_, err := c.Client.Next(challenge)
	if !errors.As(err, &c.failure) {
		c.failure = &sasl.OAuthBearerError{Status: "unreadable"}
	}
	return []byte{0x01}, nil
}

func (c *oauthBearerClient) explain(err error) error { return explainSASL(err, c.failure) }

func explainSASL(err error, failure *sasl.OAuthBearerError) error {
	if failure == nil || failure.Status == "" {
		return err
	}
	return fmt.Errorf("%w (token status %s)", err, failure.Status)
}
