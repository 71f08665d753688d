package misv2_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts/misv2"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

const (
	secretA = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	secretB = "whsec_c2Vjb25kLXNlY3JldC1vZi10aGUtcmVnaW9u"
)

// signed is a delivery of body signed by secret at ts.
func signed(t *testing.T, secret, id string, ts time.Time, body []byte) http.Header {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := wh.Sign(id, ts, body)
	if err != nil {
		t.Fatal(err)
	}
	return http.Header{"Webhook-Id": {id}, "Webhook-Timestamp": {strconv.FormatInt(ts.Unix(), 10)}, "Webhook-Signature": {sig}}
}

func TestACallbackIsVerifiedByAnyOfTheRegionsSecretsAndRefusedWithAReason(t *testing.T) {
	v, err := misv2.NewCallbackVerifier([]string{secretA, secretB})
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"type":"appointment.visited"}`)
	unsigned := signed(t, secretA, "msg_1", time.Now(), body)
	unsigned.Del("Webhook-Signature")
	for name, c := range map[string]struct {
		h    http.Header
		body []byte
		want string
	}{
		"signed by the first secret":      {signed(t, secretA, "msg_1", time.Now(), body), body, ""},
		"signed by the rotated secret":    {signed(t, secretB, "msg_2", time.Now(), body), body, ""},
		"signed by another key":           {signed(t, "whsec_b3RoZXIta2V5LW9mLXNvbWVvbmUtZWxzZQ==", "msg_3", time.Now(), body), body, misv2.CallbackReasonSignature},
		"a body changed after signing":    {signed(t, secretA, "msg_4", time.Now(), body), []byte(`{}`), misv2.CallbackReasonSignature},
		"without a signature":             {unsigned, body, misv2.CallbackReasonMissing},
		"signed six minutes ago":          {signed(t, secretA, "msg_5", time.Now().Add(-misv2.CallbackTolerance-time.Minute), body), body, misv2.CallbackReasonStale},
		"with a webhook-id over 200 char": {signed(t, secretA, string(make([]byte, 201)), time.Now(), body), body, misv2.CallbackReasonMalformed},
	} {
		if got := v.Verify(c.body, c.h); got != c.want {
			t.Errorf("%s: %q, want %q", name, got, c.want)
		}
	}
}

func TestASecretNotInTheWhsecFormIsRefusedWithoutQuotingIt(t *testing.T) {
	for _, s := range []string{"", "whsec_", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_c2hvcnQ=", "whsec_!!notbase64!!"} {
		if _, err := misv2.NewCallbackVerifier([]string{s}); err == nil {
			t.Errorf("%q accepted", s)
		} else if s != "" && len(s) > 6 && strings.Contains(err.Error(), s) {
			t.Errorf("the error quotes the secret: %v", err)
		}
	}
	if _, err := misv2.NewCallbackVerifier(nil); err == nil {
		t.Error("no secret accepted")
	}
}
