package web

import (
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/broker/bookings"
	"github.com/fedhealth/federation/sagas"
)

// citizenIDPattern is the dev issuer's test citizen id, as the API's
// dev token endpoint takes it.
var citizenIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

var (
	errBadCitizenID = bookings.Invalid("citizen id must be 1-64 letters, digits, '.', '_' or '-'")
	errBadOperator  = bookings.Invalid("operator id must be 1-64 letters, digits, '.', '_', '@' or '-', with a configured region")
	errBadAnalyst   = bookings.Invalid("analyst id must be 1-64 letters, digits, '.', '_', '@' or '-'")
)

// signInView is the sign-in page's data.
type signInView struct {
	Demo    bool
	Analyst bool // the dashboards are served: offer the analyst's form
	Regions []bookings.Region
}

func (s *Server) signInPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "signin", "signin.title",
		signInView{Demo: s.cfg.DevIssuer != nil, Analyst: s.cfg.Analytics != nil, Regions: s.cfg.Bookings.Regions()})
}

// devSignIn signs the demo's test citizen in: the dev issuer signs the
// token, which is verified as any other.
func (s *Server) devSignIn(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimSpace(r.PostFormValue("citizen_id"))
	if s.cfg.DevIssuer == nil {
		s.fail(w, r, errNotFound)
		return
	}
	if !citizenIDPattern.MatchString(id) {
		s.fail(w, r, errBadCitizenID)
		return
	}
	token, err := s.cfg.DevIssuer.Issue(id, auth.DevTokenLifetime)
	s.finishDevSignIn(w, r, token, err, "/search")
}

// devOperatorSignIn signs the demo's test operator of a region in.
func (s *Server) devOperatorSignIn(w http.ResponseWriter, r *http.Request) {
	id, region := strings.TrimSpace(r.PostFormValue("operator_id")), r.PostFormValue("region")
	if s.cfg.DevIssuer == nil {
		s.fail(w, r, errNotFound)
		return
	}
	if !auth.ValidOperatorID(id) || !s.knownRegion(region) {
		s.fail(w, r, errBadOperator)
		return
	}
	token, err := s.cfg.DevIssuer.IssueOperator(id, region, auth.DevTokenLifetime)
	s.finishDevSignIn(w, r, token, err, "/operator")
}

// devAnalystSignIn signs the demo's test ministry analyst in.
func (s *Server) devAnalystSignIn(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimSpace(r.PostFormValue("analyst_id"))
	if s.cfg.DevIssuer == nil || s.cfg.Analytics == nil {
		s.fail(w, r, errNotFound)
		return
	}
	if !auth.ValidOperatorID(id) { // an analyst id has an operator id's shape
		s.fail(w, r, errBadAnalyst)
		return
	}
	token, err := s.cfg.DevIssuer.IssueAnalyst(id, auth.DevTokenLifetime)
	s.finishDevSignIn(w, r, token, err, "/analytics")
}

func (s *Server) finishDevSignIn(w http.ResponseWriter, r *http.Request, token string, err error, next string) {
	if err == nil {
		_, err = s.cfg.Verifier.VerifyPrincipal(r.Context(), token)
	}
	if err == nil {
		err = s.signIn(r.Context(), token, time.Now().Add(auth.DevTokenLifetime))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) knownRegion(code string) bool {
	for _, reg := range s.cfg.Bookings.Regions() {
		if reg.Code == code {
			return true
		}
	}
	return false
}

// signOut ends the session (its token is forgotten server-side).
func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	if err := s.sessions.Destroy(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

// switchLanguage keeps the reader's language in a cookie (a year; it is
// no secret) and sends them back where they were, on this site only.
func (s *Server) switchLanguage(w http.ResponseWriter, r *http.Request) {
	lang := sagas.Lang(r.PathValue("lang"))
	if lang != sagas.LangRU && lang != sagas.LangEN {
		s.fail(w, r, errNotFound)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: string(lang), Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: !s.cfg.PlainHTTP, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, localPath(r.URL.Query().Get("back")), http.StatusSeeOther)
}

// localPath is back when it is a path of this site, else "/": never an
// open redirect ("//evil", "/\evil" and absolute URLs are refused).
func localPath(back string) string {
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") || strings.ContainsAny(back, "\\\r\n") {
		return "/"
	}
	return back
}
