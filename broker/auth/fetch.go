package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// maxDocumentBytes caps discovery and JWKS responses: a real key set is a
// few kilobytes, and an unbounded read would let a broken issuer exhaust
// memory.
const maxDocumentBytes = 1 << 20

// fetchDocument GETs url and returns its body, refusing non-200 answers
// (a redirect among them: the client does not follow it, see noRedirects).
func fetchDocument(ctx context.Context, client *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("build request for %s: %w", url, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch %s: status %d", url, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDocumentBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", url, err)
	}
	if len(body) > maxDocumentBytes {
		return nil, fmt.Errorf("fetch %s: document larger than %d bytes", url, maxDocumentBytes)
	}
	return body, nil
}

// discoverJWKSURL reads the issuer's OpenID configuration and returns its
// jwks_uri. The document must name exactly the same issuer (OpenID Connect
// Discovery, section 4.3), so a misrouted URL cannot substitute its keys.
func discoverJWKSURL(ctx context.Context, client *http.Client, issuer string) (string, error) {
	// Discovery §4: a terminating "/" of the issuer is removed before the
	// well-known path is appended. Only the URL fetched is built this way;
	// the issuer itself is compared untouched below.
	body, err := fetchDocument(ctx, client, strings.TrimSuffix(issuer, "/")+"/.well-known/openid-configuration")
	if err != nil {
		return "", err
	}
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return "", fmt.Errorf("decode OpenID configuration: %w", err)
	}
	if doc.Issuer != issuer {
		return "", fmt.Errorf("OpenID configuration names issuer %q, want %q", doc.Issuer, issuer)
	}
	if err := checkTrustedURL("jwks_uri", doc.JWKSURI); err != nil {
		return "", err
	}
	return doc.JWKSURI, nil
}
