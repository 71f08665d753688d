package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// post sends body to the server's demo token endpoint, the one JSON body
// the router alone can take in full, with the given Content-Type.
func post(t *testing.T, url, contentType, body string) (*http.Response, problem) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/api/v1/dev/token", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var pr problem
	if resp.Header.Get("Content-Type") == "application/problem+json" {
		if err := json.Unmarshal(data, &pr); err != nil {
			t.Fatalf("problem body %s: %v", data, err)
		}
	}
	return resp, pr
}

func TestAJSONBodyIsDecodedStrictly(t *testing.T) {
	srv := httptest.NewServer(routedServer(t).Handler())
	defer srv.Close()
	cases := []struct{ name, body, detail string }{
		{"a member name in another case is refused", `{"Citizen_ID":"ivan"}`, errUnknownMember.Error()},
		{"a duplicate member is refused, not the last one taken", `{"citizen_id":"ivan","citizen_id":"boris"}`, errDuplicateName.Error()},
		{"an unknown member is refused", `{"citizen_id":"ivan","admin":true}`, errUnknownMember.Error()},
		{"data after the object is refused", `{"citizen_id":"ivan"} {"citizen_id":"boris"}`, errMalformedJSON.Error()},
		{"an array is refused, without naming Go types", `[{"citizen_id":"ivan"}]`, errNotAnObject.Error()},
		{"null is refused", `null`, errNotAnObject.Error()},
		{"a member of the wrong type is refused", `{"citizen_id":["ivan"]}`, errMemberType.Error()},
		{"invalid UTF-8 is refused", "{\"citizen_id\":\"iv\xffan\"}", errMalformedJSON.Error()},
		{"an empty body is refused", ``, errMalformedJSON.Error()},
		{"a truncated body is refused", `{"citizen_id":`, errMalformedJSON.Error()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, pr := post(t, srv.URL, "application/json", c.body)
			if resp.StatusCode != http.StatusBadRequest || pr.Code != "invalid-request" || pr.Detail != c.detail {
				t.Errorf("%d %+v, want 400 invalid-request %q", resp.StatusCode, pr, c.detail)
			}
		})
	}
	t.Run("the exact body is accepted, with a UTF-8 charset too", func(t *testing.T) {
		for _, ct := range []string{"application/json", "application/json; charset=utf-8", "Application/JSON; charset=UTF-8"} {
			if resp, pr := post(t, srv.URL, ct, ` {"citizen_id":"ivan"} `+"\n"); resp.StatusCode != http.StatusOK {
				t.Errorf("Content-Type %q: %d %+v, want 200", ct, resp.StatusCode, pr)
			}
		}
	})
}

func TestABodyThatIsNotDeclaredJSONIsA415Problem(t *testing.T) {
	srv := httptest.NewServer(routedServer(t).Handler())
	defer srv.Close()
	for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded", "application/json-patch+json",
		"application/json; charset=latin1", "application/json;;"} {
		resp, pr := post(t, srv.URL, ct, `{"citizen_id":"ivan"}`)
		if resp.StatusCode != http.StatusUnsupportedMediaType || pr.Code != "unsupported-media-type" ||
			pr.Type != problemBase+"unsupported-media-type" {
			t.Errorf("Content-Type %q: %d %+v, want a 415 unsupported-media-type problem", ct, resp.StatusCode, pr)
		}
	}
}
