package browser

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// These need no browser: a client that sends what a forging site's page
// would make a browser send.

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// formClient is a cookie-keeping client that does not follow redirects,
// with the session and CSRF token of a fresh sign-in page.
func formClient(t *testing.T) (*http.Client, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(env.sys.URL + "/signin")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := csrfInput.FindSubmatch(body)
	if m == nil {
		t.Fatal("the sign-in page has no CSRF field")
	}
	return c, string(m[1])
}

func post(t *testing.T, c *http.Client, form url.Values, header map[string]string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, env.sys.URL+"/signin", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestAFormPostedFromAnotherSiteOrWithoutItsTokenIsRefused(t *testing.T) {
	if env.sys == nil {
		t.Skip(env.skip)
	}
	c, token := formClient(t)
	for _, tc := range []struct {
		name   string
		form   url.Values
		header map[string]string
		want   int
	}{
		{"a post from another site (Sec-Fetch-Site) is refused", url.Values{"citizen_id": {"ivan"}, "csrf": {token}},
			map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"a post from another origin (Origin) is refused", url.Values{"citizen_id": {"ivan"}, "csrf": {token}},
			map[string]string{"Origin": "https://forger.example"}, http.StatusForbidden},
		{"a post without the session's token is refused", url.Values{"citizen_id": {"ivan"}}, nil, http.StatusForbidden},
		{"a post with another token is refused", url.Values{"citizen_id": {"ivan"}, "csrf": {"forged"}}, nil, http.StatusForbidden},
		{"the page's own post signs in", url.Values{"citizen_id": {"ivan"}, "csrf": {token}},
			map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusSeeOther},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := post(t, c, tc.form, tc.header); got != tc.want {
				t.Errorf("status %d, want %d", got, tc.want)
			}
		})
	}
}

func TestTheSessionCookieIsHttpOnlyLaxAndGoesWithSignOut(t *testing.T) {
	if env.sys == nil {
		t.Skip(env.skip)
	}
	c, token := formClient(t)
	resp, err := c.PostForm(env.sys.URL+"/signin", url.Values{"citizen_id": {"ivan"}, "csrf": {token}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var session *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "session" {
			session = ck
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/" {
		t.Fatalf("session cookie %+v, want HttpOnly, SameSite=Lax, Path=/", session)
	}
	page := func() int {
		resp, err := c.Get(env.sys.URL + "/appointments")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if m := csrfInput.FindSubmatch(body); m != nil {
			token = string(m[1])
		}
		return resp.StatusCode
	}
	if got := page(); got != http.StatusOK {
		t.Fatalf("signed in, my appointments answer %d", got)
	}
	resp, err = c.PostForm(env.sys.URL+"/signout", url.Values{"csrf": {token}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := page(); got != http.StatusSeeOther {
		t.Errorf("signed out, my appointments answer %d, want a redirect to sign in", got)
	}
}

func TestAPathOfNoPageIsAPageForBrowsersAndAProblemForPrograms(t *testing.T) {
	if env.sys == nil {
		t.Skip(env.skip)
	}
	for _, c := range []struct{ accept, want string }{
		{"text/html,application/xhtml+xml,*/*;q=0.8", "text/html; charset=utf-8"},
		{"", "application/problem+json"},
	} {
		req, _ := http.NewRequest(http.MethodGet, env.sys.URL+"/no-such-page", nil)
		if c.accept != "" {
			req.Header.Set("Accept", c.accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Type") != c.want {
			t.Errorf("Accept %q: %d %s, want 404 %s", c.accept, resp.StatusCode, resp.Header.Get("Content-Type"), c.want)
		}
	}
}
