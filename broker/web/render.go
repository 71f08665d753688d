package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
)

// errNotFound answers a path no page has.
var errNotFound = fmt.Errorf("page: %w", contracts.ErrNotFound)

// pages are the parsed templates, by page name, each the layout with the
// page's "content".
type pages map[string]*template.Template

var pageNames = []string{"signin", "search", "booking", "appointments", "queue", "patient", "analytics", "error"}

func parsePages() (pages, error) {
	base, err := template.New("layout.html").Funcs(template.FuncMap{"pair": pair}).ParseFS(templateFS, "templates/layout.html", "templates/parts.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	out := pages{}
	for _, name := range pageNames {
		t, err := template.Must(base.Clone()).ParseFS(templateFS, "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// view is what every page's template reads: the reader's language and
// role, the session's CSRF token and the page's own Data.
type view struct {
	// Page names the page (the body's data-page, for tests and styles).
	Page     string
	Lang     sagas.Lang
	Title    string
	Path     string
	CSRF     string
	Citizen  bool
	Operator bool
	Analyst  bool
	Data     any
}

// T is key's text in the page's language.
func (v view) T(key string) string { return tr(v.Lang, key) }

// Text is a booking text by its code in the page's language, then its
// note; the stored English when the code has none.
func (v view) Text(code, note, english string) string {
	if t := sagas.Text(code, v.Lang); t != "" {
		return t + note
	}
	return english
}

// Other is the language the switch link offers.
func (v view) Other() sagas.Lang {
	if v.Lang == sagas.LangEN {
		return sagas.LangRU
	}
	return sagas.LangEN
}

// render writes page with data, titled by the text of titleKey.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page, titleKey string, data any) {
	s.renderTitled(w, r, status, page, tr(langOf(r), titleKey), data)
}

// renderTitled writes page with data under a title of its own (a
// region's dashboard names the region).
func (s *Server) renderTitled(w http.ResponseWriter, r *http.Request, status int, page, title string, data any) {
	v := view{Page: page, Lang: langOf(r), Path: r.URL.RequestURI(), CSRF: s.csrfToken(r.Context()), Data: data, Title: title}
	if p, ok := s.principal(r); ok {
		v.Citizen, v.Operator, v.Analyst = p.Role == auth.RoleCitizen, p.Role == auth.RoleOperator, p.Role == auth.RoleAnalyst
	}
	s.write(w, status, page, v)
}

// write executes page's template with v and sends it with the pages'
// headers.
func (s *Server) write(w http.ResponseWriter, status int, page string, v view) {
	var buf bytes.Buffer
	if err := s.pages[page].ExecuteTemplate(&buf, "layout.html", v); err != nil {
		s.cfg.Logger.Error("web: page not rendered", "page", page, "err", err)
		http.Error(w, tr(v.Lang, "err.internal"), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", string(v.Lang))
	h.Add("Vary", "Accept-Language, Cookie")
	// Pages hold personal data: never cached (api.Edge says no-store too),
	// never framed; scripts and styles only from this origin.
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
	h.Set("Referrer-Policy", "same-origin")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// pairView is a booking card's data: the page's view and one booking.
type pairView struct {
	V view
	B bookingView
}

func pair(v view, b bookingView) pairView { return pairView{V: v, B: b} }

// errorView is the error page's data.
type errorView struct {
	Key, Detail, Reference string
}

// fail renders err as a page in the reader's language: the service's
// error mapped to a text (errors.go), never a stack or the error's chain,
// which go to the log.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, key, detail := explain(err)
	ref := ""
	if status >= 500 {
		ref = strconv.FormatInt(time.Now().UnixNano()%1_000_000_000, 36)
		s.cfg.Logger.Error("web: request failed", "path", r.URL.Path, "reference", ref, "err", err)
	} else {
		s.cfg.Logger.Debug("web: request refused", "path", r.URL.Path, "err", err)
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "30")
	}
	s.render(w, r, status, "error", "error.title", errorView{Key: key, Detail: detail, Reference: ref})
}

func itoa(n int) string { return strconv.Itoa(n) }
