package feed

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ErrForeignOrigin marks a manifest that lists a file outside the
// configured origin. The whole manifest is refused: a publisher that
// points readers at other hosts is misconfigured or compromised, and
// fetching there would let it aim the broker at any address (SSRF) or pass
// a third party's slots off as its own.
var ErrForeignOrigin = errors.New("file outside the feed's origin")

// origin is a URL's scheme, host and port, the port made explicit so that
// "https://a" and "https://a:443" are one origin.
type origin struct{ scheme, host, port string }

func originOf(u *url.URL) origin {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return origin{scheme: u.Scheme, host: strings.ToLower(u.Hostname()), port: port}
}

// resolveFile turns a manifest's file URL into an absolute URL on the
// feed's origin. The specification wants full URLs; a relative one is
// resolved against the manifest, which cannot leave the origin unless it
// names another host.
func resolveFile(manifest *url.URL, raw string, want origin) (*url.URL, error) {
	ref, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("file url %q does not parse", raw)
	}
	u := manifest.ResolveReference(ref)
	if u.User != nil {
		return nil, fmt.Errorf("file url carries credentials: %w", ErrForeignOrigin)
	}
	if got := originOf(u); got != want {
		return nil, fmt.Errorf("file on %s://%s:%s, feed on %s://%s:%s: %w",
			got.scheme, got.host, got.port, want.scheme, want.host, want.port, ErrForeignOrigin)
	}
	u.Fragment = ""
	return u, nil
}
