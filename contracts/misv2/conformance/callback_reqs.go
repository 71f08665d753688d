package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	kit "github.com/fedhealth/federation/contracts/conformance"
	"github.com/fedhealth/federation/contracts/misv2"
)

// DefaultCallbackWait is how long the kit waits for a status callback when
// CallbackCheck.Wait is zero.
const DefaultCallbackWait = 2 * time.Minute

// CallbackCheck is how the kit receives the MIS's status callbacks for
// FHIR-CB-01: it listens, books an appointment, asks for a change to it at
// the clinic and verifies the callback that reports it.
type CallbackCheck struct {
	// Listen is the address the kit's receiver listens on
	// ("0.0.0.0:8099"; port 0 picks a free one, which Ask reports).
	Listen string
	// Secrets are the region's signing secrets (whsec_…), any of which
	// may sign. Secret: never in a report, a log or an error.
	Secrets []string
	// Wait bounds the wait for the callback (default DefaultCallbackWait).
	Wait time.Duration
	// Ask tells the vendor (or a test) what to do once the receiver
	// listens; the command line prints it. Nil asks nothing.
	Ask func(CallbackAsk)
}

// CallbackAsk is what the kit asks the vendor to do.
type CallbackAsk struct {
	// URL is the kit's receiver: the MIS's callbacks go there.
	URL string
	// AppointmentID is the appointment the kit booked; change it at the
	// clinic (cancel, move, mark visited or no-show).
	AppointmentID string
	// Wait is how long the kit waits.
	Wait time.Duration
}

// String is the request as the command line prints it.
func (a CallbackAsk) String() string {
	return fmt.Sprintf("send status callbacks to %s and change appointment %s at the clinic (cancel, move, visited or no-show); waiting up to %s",
		a.URL, a.AppointmentID, a.Wait)
}

// Delivery is one callback the receiver took: its verification's outcome.
type Delivery struct {
	// WebhookID is the delivery's webhook-id header.
	WebhookID string
	// Refused is the reason the signature check refused it
	// (misv2.CallbackReason…), "" when it passed.
	Refused string
	// Body is the body as received, at most misv2.MaxCallbackBody+1 bytes.
	Body []byte
}

// ReceiveCallback listens on listen, calls ask with the receiver's URL,
// and returns the first delivery, verified by v (the broker's own code),
// or an error when none came within wait or ctx ended. The receiver
// answers a delivery as the broker would: 401 when the signature check
// refused it, else 202 (the body is the caller's to judge).
func ReceiveCallback(ctx context.Context, listen string, v misv2.CallbackVerifier, wait time.Duration, ask func(url string)) (Delivery, error) {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return Delivery{}, fmt.Errorf("the callback receiver cannot listen on %s: %w", listen, err)
	}
	got := make(chan Delivery, 1)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, misv2.MaxCallbackBody+1))
		d := Delivery{WebhookID: r.Header.Get("webhook-id"), Refused: v.Verify(body, r.Header), Body: body}
		if d.Refused != "" {
			w.WriteHeader(http.StatusUnauthorized)
		} else {
			w.WriteHeader(http.StatusAccepted)
		}
		select {
		case got <- d:
		default: // a later delivery: the first one is what is judged
		}
	})}
	go func() { _ = srv.Serve(ln) }()
	defer func() {
		// Gracefully: the delivery just judged still gets its answer (a
		// Close here cut it off, and the MIS saw a failed delivery).
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		if srv.Shutdown(sctx) != nil {
			_ = srv.Close()
		}
	}()
	ask("http://" + ln.Addr().String() + "/")
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case d := <-got:
		return d, nil
	case <-timer.C:
		return Delivery{}, fmt.Errorf("no status callback came within %s", wait)
	case <-ctx.Done():
		return Delivery{}, errors.New("the run ended before a status callback came")
	}
}

var callbackRequirements = []requirement{
	{id: "FHIR-CB-01", title: "A change at the clinic reaches the broker as a status callback: signed (Standard Webhooks), fresh, a StatusCallback of the changed appointment", run: callbackArrives},
}

func callbackArrives(t kit.T, c *client) {
	cb := c.callback
	if cb == nil || cb.Listen == "" {
		t.Skip("no callback receiver (--callback-listen and --callback-secret-file): status callbacks not checked")
	}
	v, err := misv2.NewCallbackVerifier(cb.Secrets)
	if err != nil {
		t.Fatalf("the callback secret: %v", err)
	}
	_, a := c.booked(t)
	wait := cb.Wait
	if wait <= 0 {
		wait = DefaultCallbackWait
	}
	d, err := ReceiveCallback(t.Context(), cb.Listen, v, wait, func(url string) {
		if cb.Ask != nil {
			cb.Ask(CallbackAsk{URL: url, AppointmentID: a.ID, Wait: wait})
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if d.Refused != "" {
		t.Fatalf("callback %q refused as the broker would refuse it: %s (sign \"{webhook-id}.{webhook-timestamp}.{body}\" with HMAC-SHA256, header webhook-signature: v1,<base64>)", d.WebhookID, d.Refused)
	}
	got, err := misv2.DecodeStatusCallback(d.Body)
	if err != nil {
		t.Fatalf("callback %q is signed but not a StatusCallback of contract %s: %v; body: %s", d.WebhookID, misv2.CallbackVersion, err, excerpt(d.Body))
	}
	if got.Data.AppointmentID != a.ID {
		t.Errorf("callback %q reports appointment %q, want %q (the one the kit booked and asked to change)", d.WebhookID, got.Data.AppointmentID, a.ID)
	}
	t.Logf("callback %q: %s of %s", d.WebhookID, got.Type, got.Data.AppointmentID)
}
