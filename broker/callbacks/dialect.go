package callbacks

import (
	"encoding/json"

	"github.com/fedhealth/federation/contracts/misv2"
)

// Dialect is how one region kind's MIS speaks to the callback endpoint:
// the media type of its bodies, how a body decodes into the kind-neutral
// shape of a change (misv2.StatusCallback, contract 1.1's body, which the
// SOAP operation decodes into too) and how the answers look.
type Dialect struct {
	// Name names the dialect in logs ("json", "soap").
	Name string
	// MediaType is the media type (without parameters) a body must have.
	MediaType string
	// ContentType is the Content-Type of an acceptance, RefusalType of a
	// refusal.
	ContentType, RefusalType string
	// Decode reads a verified body strictly; any error is a 400.
	Decode func(body []byte) (misv2.StatusCallback, error)
	// Accepted is the body of the answer to an accepted callback.
	Accepted func(eventID string) []byte
	// Refused is the body of a refusal: status is the HTTP status, code
	// the problem code (Problems), detail the sentence for the sender.
	Refused func(status int, code, detail string) []byte
}

// JSONDialect is contract misv2 1.1's: a StatusCallback in JSON, answered
// with JSON and refused with problem+json documents.
var JSONDialect = Dialect{
	Name:        "json",
	MediaType:   misv2.CallbackContentType,
	ContentType: "application/json",
	RefusalType: "application/problem+json",
	Decode:      misv2.DecodeStatusCallback,
	Accepted: func(eventID string) []byte {
		b, _ := json.Marshal(map[string]string{"status": "accepted", "event_id": eventID})
		return b
	},
	Refused: func(status int, code, detail string) []byte {
		b, _ := json.Marshal(problemDocument(status, code, detail))
		return b
	},
}

// problemDoc is an RFC 9457 problem, with the API's code member. Unlike
// the API's problems it carries no correlation id: a repeat is answered
// with the first answer's bytes, which must not name another request.
type problemDoc struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Code   string `json:"code"`
}

func problemDocument(status int, code, detail string) problemDoc {
	title := code
	for _, p := range Problems {
		if p.Code == code {
			title = p.Title
		}
	}
	return problemDoc{Type: "/problems/" + code, Title: title, Status: status, Detail: detail, Code: code}
}
