package callbacks

import "net/http"

// Problem is one way the callback endpoint refuses a request; the API
// serves a page for each code (/problems/{code}).
type Problem struct {
	Status              int
	Code, Title, Detail string
}

// The endpoint's refusals. The details never quote the request.
var (
	problemUnauthenticated = Problem{http.StatusUnauthorized, "callback-unauthenticated", "The callback is not signed by the region",
		"The webhook-id, webhook-timestamp and webhook-signature headers must carry a v1 HMAC-SHA256 signature by one of the region's secrets, made within 5 minutes of the broker's clock."}
	problemUndecodable = Problem{http.StatusBadRequest, "callback-undecodable", "The callback's body is not a status change",
		"The body is signed but is not a status callback of the contract this broker implements; see the contract's callback section."}
	problemTooLarge = Problem{http.StatusRequestEntityTooLarge, "callback-too-large", "The callback's body is too large",
		"A status callback's body is at most 16 KiB."}
	problemMediaType = Problem{http.StatusUnsupportedMediaType, "callback-media-type", "The callback's media type is not the region's",
		"A fhir region sends application/json; a soap region sends text/xml (SOAP 1.1)."}
	problemNoRegion = Problem{http.StatusNotFound, "callback-no-region", "No callbacks for this region",
		"The broker takes no callbacks for this region: it is unknown, or its kind converges by reconciliation (jsonrpc) or by its operators' actions (feed)."}
	problemUnavailable = Problem{http.StatusServiceUnavailable, "callback-unavailable", "The broker cannot record the callback now",
		"Nothing was recorded; send the same delivery (same webhook-id) again later."}
)

// Problems lists every refusal of the endpoint.
var Problems = []Problem{problemUnauthenticated, problemUndecodable, problemTooLarge, problemMediaType, problemNoRegion, problemUnavailable}
