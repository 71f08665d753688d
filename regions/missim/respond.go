package missim

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/fedhealth/federation/contracts/misv2"
)

// writeResource answers with a FHIR resource.
func writeResource(w http.ResponseWriter, status int, v any) {
	writeBody(w, misv2.ContentType, status, v)
}

// writeError is the one place an opError becomes an HTTP answer.
func writeError(w http.ResponseWriter, e *opError) {
	writeResource(w, e.status, e.outcome())
}

func writeBody(w http.ResponseWriter, contentType string, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "cannot encode response", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
