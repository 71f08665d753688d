package soap

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// ContentType is SOAP 1.1's media type.
const ContentType = "text/xml; charset=utf-8"

// Fault codes of the ErrorDetail/Error_Code element of a SOAP fault's
// detail, and the contracts error each becomes in the adapter (errors.go).
const (
	FaultSlotTaken           = "SLOT_TAKEN"
	FaultNotAttached         = "NOT_ATTACHED"
	FaultReferralRequired    = "REFERRAL_REQUIRED"
	FaultInvalidRequest      = "INVALID_REQUEST"
	FaultPatientNotFound     = "PATIENT_NOT_FOUND"
	FaultSlotNotFound        = "SLOT_NOT_FOUND"
	FaultAppointmentNotFound = "APPOINTMENT_NOT_FOUND"
	FaultMISBusy             = "MIS_BUSY"
	FaultMISUnavailable      = "MIS_UNAVAILABLE"
	FaultMONotFound          = "MO_NOT_FOUND"
	// FaultSessionExpired answers a call whose Session_ID is unknown or has
	// lived past the MIS's session lifetime; the call changed nothing.
	FaultSessionExpired = "SESSION_EXPIRED"
)

// Fault is a SOAP 1.1 fault with the e-registry's error detail.
type Fault struct {
	XMLName     xml.Name `xml:"http://schemas.xmlsoap.org/soap/envelope/ Fault"`
	FaultCode   string   `xml:"faultcode"`   // soap:Client or soap:Server
	FaultString string   `xml:"faultstring"` // free text: never quoted in our errors (it may name the patient)
	Code        string   `xml:"detail>ErrorDetail>Error_Code"`
}

// Error names the fault by its codes only.
func (f *Fault) Error() string { return fmt.Sprintf("SOAP fault %s (%s)", f.Code, f.FaultCode) }

// Marshal returns the SOAP envelope carrying payload (a request or
// response struct of this package).
func Marshal(payload any) ([]byte, error) {
	inner, err := xml.Marshal(payload)
	if err != nil {
		return nil, err
	}
	return wrap(inner), nil
}

// MarshalFault returns the envelope of a fault. faultcode and faultstring
// are unqualified, as SOAP 1.1 has them, which encoding/xml cannot write
// under a namespaced parent: hence the text template.
func MarshalFault(server bool, code, text string) []byte {
	who := "soap:Client"
	if server {
		who = "soap:Server"
	}
	var b bytes.Buffer
	b.WriteString(`<soap:Fault><faultcode>` + who + `</faultcode><faultstring>`)
	_ = xml.EscapeText(&b, []byte(text))
	b.WriteString(`</faultstring><detail><er:ErrorDetail xmlns:er="` + Namespace + `"><er:Error_Code>`)
	_ = xml.EscapeText(&b, []byte(code))
	b.WriteString(`</er:Error_Code></er:ErrorDetail></detail></soap:Fault>`)
	return wrap(b.Bytes())
}

func wrap(inner []byte) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<soap:Envelope xmlns:soap="` + EnvelopeNamespace + `"><soap:Body>`)
	b.Write(inner)
	b.WriteString(`</soap:Body></soap:Envelope>`)
	return b.Bytes()
}

// ErrNotSOAP marks a body that is not a SOAP 1.1 envelope with one
// element in its Body (malformed or truncated XML included).
var ErrNotSOAP = errors.New("not a SOAP 1.1 envelope")

// ReadEnvelope reads r up to the first element inside the envelope's Body
// and returns a decoder positioned there with that element's start, so the
// caller decodes it with DecodeElement in the right namespace context.
func ReadEnvelope(r io.Reader) (*xml.Decoder, xml.StartElement, error) {
	d := xml.NewDecoder(r)
	start, err := nextStart(d)
	if err != nil {
		return nil, start, err
	}
	if start.Name != (xml.Name{Space: EnvelopeNamespace, Local: "Envelope"}) {
		return nil, start, fmt.Errorf("%w: root element is %s", ErrNotSOAP, start.Name.Local)
	}
	for {
		start, err = nextStart(d)
		if err != nil {
			return nil, start, err
		}
		if start.Name == (xml.Name{Space: EnvelopeNamespace, Local: "Body"}) {
			break
		}
		if err := d.Skip(); err != nil { // a Header: nothing in it concerns us
			return nil, start, fmt.Errorf("%w: %v", ErrNotSOAP, err)
		}
	}
	start, err = nextStart(d)
	return d, start, err
}

// nextStart returns the next start element, failing on an end element
// (an empty Body or envelope) and on malformed XML.
func nextStart(d *xml.Decoder) (xml.StartElement, error) {
	for {
		tok, err := d.Token()
		if err != nil {
			return xml.StartElement{}, fmt.Errorf("%w: %v", ErrNotSOAP, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, nil
		case xml.EndElement:
			return xml.StartElement{}, fmt.Errorf("%w: </%s> where an element was expected", ErrNotSOAP, t.Name.Local)
		}
	}
}

// IsFault reports whether start is a SOAP fault.
func IsFault(start xml.StartElement) bool {
	return start.Name == xml.Name{Space: EnvelopeNamespace, Local: "Fault"}
}
