package ratelimit

import (
	"context"
	"net/http"

	"github.com/fedhealth/federation/broker/auth"
)

// CallerKey names the signed-in caller of ctx for AllowCitizen: a
// citizen's subject, an operator's region and id, or an analyst's id
// (which no subject can equal: the separator is in none). The API and the
// pages both take it from here, so one caller has one budget in both.
func CallerKey(ctx context.Context) string {
	if op, ok := auth.OperatorFrom(ctx); ok {
		return "operator\x00" + op.Region + "\x00" + op.ID
	}
	if a, ok := auth.AnalystFrom(ctx); ok {
		return "analyst\x00" + a.ID
	}
	c, _ := auth.CitizenFrom(ctx)
	return c.Subject
}

// ClientHost is r's client address as text, as the limits see it (see
// ClientAddress), for the audit trail; the peer's RemoteAddr when it does
// not parse or l is nil (no limits configured).
func (l *Limiter) ClientHost(r *http.Request) string {
	if l != nil {
		if a := l.ClientAddress(r); a.IsValid() {
			return a.String()
		}
	}
	return r.RemoteAddr
}
