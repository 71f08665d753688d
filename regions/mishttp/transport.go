package mishttp

import (
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"time"
)

// MaxIdleConnsPerHost keeps enough warm connections for the breaker's
// default concurrency limit (32); net/http's default of 2 would reconnect
// on almost every call under load.
const MaxIdleConnsPerHost = 64

// NewTransport is the transport of one region client: short dial and TLS
// handshake timeouts (a region that cannot be reached says so quickly),
// a pool sized for the breaker's concurrency, and tlsCfg (nil: Go's
// defaults) for mutual TLS where the region asks for it.
func NewTransport(tlsCfg *tls.Config) *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 3 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       tlsCfg,
		TLSHandshakeTimeout:   3 * time.Second,
		MaxIdleConns:          MaxIdleConnsPerHost,
		MaxIdleConnsPerHost:   MaxIdleConnsPerHost,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     true,
	}
}

// RefuseRedirects is an http.Client CheckRedirect that follows none: the
// endpoint comes only from configuration, and a redirect could send
// patient identifiers elsewhere. The 3xx is returned as the answer.
func RefuseRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// KeepIdle wraps rt without its CloseIdleConnections. retryablehttp calls
// that after every final failure: while a region is failing it would tear
// down the pool shared by all concurrent calls and pay a new handshake per
// call exactly when the MIS is weakest. Close the real transport's idle
// connections yourself when the client closes.
func KeepIdle(rt http.RoundTripper) http.RoundTripper { return keepIdle{rt} }

type keepIdle struct{ rt http.RoundTripper }

func (k keepIdle) RoundTrip(r *http.Request) (*http.Response, error) { return k.rt.RoundTrip(r) }

// MayHaveBeenSent reports whether a request that failed with err may have
// reached the server: false only when the connection was never made (dial
// or DNS failure); anything later may have delivered it.
func MayHaveBeenSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return false
	}
	var dns *net.DNSError
	return !errors.As(err, &dns)
}
