// Package web is the citizens', the regional operators' and the ministry
// analysts' pages: the
// portal served at "/" beside the JSON API, rendered on the server with
// html/template, its CSS and a little JavaScript embedded in the binary
// (no front-end build). Like broker/api it is a thin adapter over
// bookings.Service: a page decodes a form, calls the service and renders
// the answer; it never calls the HTTP API.
//
// The package owns the pages' sign-in (the demo's development issuer, or
// an OpenID Connect issuer through the authorization-code flow with PKCE:
// oidc.go), their server-side sessions (session.go), their CSRF defence
// (csrf.go), their two languages (texts.go: Russian by default, English on
// request) and the mapping of the service's errors to pages in the
// reader's language (errors.go). The analysts' dashboards (analytics.go)
// are a thin adapter over analytics.Service in the same way: figures.go
// lays each report table out as a text table and the chart data that
// static/dash.js draws with the embedded Chart.js (static/vendor).
// Sessions live in the shared database (sessionstore.go) so that every
// instance serves every reader; the pages draw on the API's rate limits
// (limits.go).
package web
