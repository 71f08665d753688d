package feed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// ErrTooLarge marks a manifest, file or line beyond its configured bound.
var ErrTooLarge = errors.New("larger than the configured bound")

// validators are the HTTP cache validators of one answer, sent back as
// If-None-Match and If-Modified-Since on the next poll.
type validators struct{ etag, lastModified string }

func (v validators) empty() bool { return v.etag == "" && v.lastModified == "" }

// answer is one GET's outcome: not modified, or a body to read (at most
// limit bytes, see boundedBody) with its validators.
type answer struct {
	notModified bool
	body        io.ReadCloser
	validators  validators
}

// newHTTPClient follows redirects only within the feed's origin: a
// redirect is the other way a publisher could send us to another host.
func newHTTPClient(rt http.RoundTripper, home origin) *http.Client {
	return &http.Client{Transport: rt, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 3 {
			return errors.New("more than 3 redirects")
		}
		if originOf(req.URL) != home {
			return fmt.Errorf("redirect to %s: %w", req.URL.Host, ErrForeignOrigin)
		}
		return nil
	}}
}

// get fetches u, conditionally when prev has validators. The caller closes
// the body of a 200 answer.
func (s *Source) get(ctx context.Context, u *url.URL, prev validators, accept string) (answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return answer{}, fmt.Errorf("GET %s: %w", shown(u), err)
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", "fedhealth-federation-feed/1")
	if prev.etag != "" {
		req.Header.Set("If-None-Match", prev.etag)
	}
	if prev.lastModified != "" {
		req.Header.Set("If-Modified-Since", prev.lastModified)
	}
	resp, err := s.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error quotes the whole URL, query included
		}
		return answer{}, fmt.Errorf("GET %s: %w", shown(u), err)
	}
	got := validators{etag: resp.Header.Get("ETag"), lastModified: resp.Header.Get("Last-Modified")}
	switch {
	case resp.StatusCode == http.StatusOK:
		return answer{body: resp.Body, validators: got}, nil
	case resp.StatusCode == http.StatusNotModified && !prev.empty():
		resp.Body.Close()
		return answer{notModified: true, validators: prev}, nil
	}
	resp.Body.Close()
	return answer{}, fmt.Errorf("GET %s: status %d", shown(u), resp.StatusCode)
}

// shown renders u for logs and errors without its query, which on static
// hosting may carry a signed access token.
func shown(u *url.URL) string {
	c := *u
	c.RawQuery, c.Fragment, c.User = "", "", nil
	return c.String()
}

// boundedBody reads at most limit bytes of r and then fails with
// ErrTooLarge instead of returning EOF, so a huge body ends the sync with
// a clear error rather than a silently truncated data set.
type boundedBody struct {
	r     io.Reader
	left  int64
	limit int64
	what  string
}

func newBoundedBody(r io.Reader, limit int64, what string) *boundedBody {
	return &boundedBody{r: r, left: limit, limit: limit, what: what}
}

func (b *boundedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more than the limit decides between "exactly limit" and "over".
		var one [1]byte
		if n, _ := io.ReadFull(b.r, one[:]); n == 0 {
			return 0, io.EOF
		}
		return 0, fmt.Errorf("%s: more than %d bytes: %w", b.what, b.limit, ErrTooLarge)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}
