package soap_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/missim/soapsim"
	"github.com/fedhealth/federation/regions/soap"
	"github.com/fedhealth/federation/sagas/ledger"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
)

// The parts of a WSDL 1.1 document the test checks messages against.
type wsdlDoc struct {
	Elements     []xsElement `xml:"types>schema>element"`
	ComplexTypes []struct {
		Name     string      `xml:"name,attr"`
		Sequence []xsElement `xml:"sequence>element"`
	} `xml:"types>schema>complexType"`
	Messages  []wsdlMessage `xml:"message"`
	PortTypes []struct {
		Name string `xml:"name,attr"`
		Ops  []struct {
			Name string `xml:"name,attr"`
		} `xml:"operation"`
	} `xml:"portType"`
	BindingOps []wsdlBindingOp `xml:"binding>operation"`
}

type wsdlMessage struct {
	Name string `xml:"name,attr"`
	Part struct {
		Element string `xml:"element,attr"`
	} `xml:"part"`
}

type wsdlBindingOp struct {
	Name string `xml:"name,attr"`
	SOAP struct {
		Action string `xml:"soapAction,attr"`
	} `xml:"http://schemas.xmlsoap.org/wsdl/soap/ operation"`
}

type xsElement struct {
	Name      string      `xml:"name,attr"`
	Type      string      `xml:"type,attr"`
	MinOccurs string      `xml:"minOccurs,attr"`
	Sequence  []xsElement `xml:"complexType>sequence>element"`
}

// node is any XML element, for walking a message.
type node struct {
	XMLName xml.Name
	Nodes   []node `xml:",any"`
}

func parseWSDL(t *testing.T) *wsdlDoc {
	t.Helper()
	var doc wsdlDoc
	if err := xml.Unmarshal(soap.WSDL, &doc); err != nil {
		t.Fatalf("the WSDL does not parse: %v", err)
	}
	return &doc
}

// children returns the declared children of an element of type typ.
func (d *wsdlDoc) children(typ string) ([]xsElement, bool) {
	name, ok := strings.CutPrefix(typ, "er:")
	if !ok {
		return nil, false // an xs: type or simple type: text only
	}
	for _, ct := range d.ComplexTypes {
		if ct.Name == name {
			return ct.Sequence, true
		}
	}
	return nil, false
}

// operations lists the operations of the named port type.
func (d *wsdlDoc) operations(portType string) []string {
	var ops []string
	for _, pt := range d.PortTypes {
		if pt.Name == portType {
			for _, op := range pt.Ops {
				ops = append(ops, op.Name)
			}
		}
	}
	return ops
}

func (d *wsdlDoc) element(name string) (xsElement, bool) {
	for _, e := range d.Elements {
		if e.Name == name {
			return e, true
		}
	}
	return xsElement{}, false
}

// check reports every child of n not declared in decl, in the message
// namespace, and every required one missing.
func (d *wsdlDoc) check(t *testing.T, path string, n node, decl []xsElement) {
	t.Helper()
	for _, c := range n.Nodes {
		i := slices.IndexFunc(decl, func(e xsElement) bool { return e.Name == c.XMLName.Local })
		if i < 0 || c.XMLName.Space != soap.Namespace {
			t.Errorf("%s/%s {%s} is not declared by the WSDL", path, c.XMLName.Local, c.XMLName.Space)
			continue
		}
		sub, complex := d.children(decl[i].Type)
		if decl[i].Type == "" { // an inline complex type
			sub, complex = decl[i].Sequence, true
		}
		if !complex && len(c.Nodes) > 0 {
			t.Errorf("%s/%s has elements, the WSDL gives it type %s", path, c.XMLName.Local, decl[i].Type)
		}
		d.check(t, path+"/"+c.XMLName.Local, c, sub)
	}
	for _, e := range decl {
		if e.MinOccurs != "0" && !slices.ContainsFunc(n.Nodes, func(c node) bool { return c.XMLName.Local == e.Name }) {
			t.Errorf("%s lacks %s, which the WSDL requires", path, e.Name)
		}
	}
}

// recorder sits between the client and the simulator and keeps every
// exchange.
type recorder struct {
	next http.Handler
	mu   sync.Mutex
	seen []exchange
}

type exchange struct {
	action    string
	req, resp []byte
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	req.Body = io.NopCloser(bytes.NewReader(body))
	rec := httptest.NewRecorder()
	r.next.ServeHTTP(rec, req)
	r.mu.Lock()
	if req.Method == http.MethodPost {
		r.seen = append(r.seen, exchange{action: req.Header.Get("SOAPAction"), req: body, resp: rec.Body.Bytes()})
	}
	r.mu.Unlock()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

func bodyOf(t *testing.T, raw []byte) node {
	t.Helper()
	d, start, err := soap.ReadEnvelope(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("not an envelope: %v", err)
	}
	var n node
	if err := d.DecodeElement(&n, &start); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEveryOperationIsServedAndEncodedAsTheWSDLSays(t *testing.T) {
	doc := parseWSDL(t)
	if ops := doc.operations("ERegistryPortType"); !slices.Equal(ops, soap.Methods()) {
		t.Fatalf("WSDL operations %v, the adapter's methods %v", ops, soap.Methods())
	}

	sim, err := soapsim.New(soapsim.Config{Region: region.Code, TimeZone: tz}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{next: sim.Handler()}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/?wsdl")
	if err != nil {
		t.Fatal(err)
	}
	served, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(served, soap.WSDL) {
		t.Fatal("the simulator's ?wsdl is not the adapter's WSDL")
	}

	db, _ := sqldbtest.SQLite(t)
	l, err := ledger.New(context.Background(), db, false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv.URL+"/", l, nil)
	ctx := context.Background()
	slots, err := c.SearchSlots(ctx, contracts.SlotQuery{Specialty: missim.SpecialtyTherapy, From: time.Now(), To: time.Now().AddDate(0, 0, 3), Limit: 2})
	if err != nil || len(slots) != 2 {
		t.Fatalf("search = %v, %v", slots, err)
	}
	held, err := c.Hold(ctx, contracts.HoldRequest{SlotID: slots[0].ID, Patient: patient(1), IdempotencyKey: "w/1"})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = c.Hold(ctx, contracts.HoldRequest{SlotID: slots[0].ID, Patient: patient(2), IdempotencyKey: "w/2"}) // a fault
	if posts, err := c.Posts(ctx, slots[0].Facility.ID); err != nil || len(posts) == 0 {
		t.Errorf("posts of %s: %v, %v", slots[0].Facility.ID, posts, err)
	}
	_, _ = c.Posts(ctx, "1.2.643.5.1.13.13.12.2."+region.Code+".999") // a fault: MO_NOT_FOUND
	_, _ = c.ReadSlot(ctx, slots[1].ID)
	_, _ = c.Book(ctx, contracts.BookRequest{AppointmentID: held.ID, IdempotencyKey: "w/book"})
	_, _ = c.Cancel(ctx, held.ID, "w/cancel")
	_, _ = c.FindHold(ctx, contracts.HoldRequest{IdempotencyKey: "w/2"}) // intent only: read back by session
	period, err := c.PeriodAppointments(ctx, time.Now().AddDate(0, 0, -1), time.Now().AddDate(0, 0, 3))
	if i := slices.IndexFunc(period, func(a contracts.PeriodAppointment) bool { return a.ID == held.ID }); err != nil || i < 0 ||
		period[i].Patient.SNILS == "" || !period[i].End.After(period[i].Start) {
		t.Errorf("the period lists %+v (%v), want the held appointment with its patient and times", period, err)
	}

	served2 := map[string]bool{}
	for _, ex := range rec.seen {
		method := strings.TrimPrefix(strings.Trim(ex.action, `"`), soap.Namespace+"/")
		i := slices.IndexFunc(doc.BindingOps, func(b wsdlBindingOp) bool { return b.Name == method })
		if i < 0 || doc.BindingOps[i].SOAP.Action != strings.Trim(ex.action, `"`) {
			t.Fatalf("SOAPAction %s is not the WSDL's for any operation", ex.action)
		}
		served2[method] = true
		for dir, raw := range map[string][]byte{"Request": ex.req, "Response": ex.resp} {
			n := bodyOf(t, raw)
			if n.XMLName.Local == "Fault" {
				detail := n.Nodes[len(n.Nodes)-1]
				errDetail, _ := doc.element("ErrorDetail")
				doc.check(t, method+" fault detail", detail, []xsElement{errDetail})
				continue
			}
			want := "er:" + method + dir
			msg := slices.IndexFunc(doc.Messages, func(m wsdlMessage) bool { return m.Name == method+dir })
			if msg < 0 || doc.Messages[msg].Part.Element != want || n.XMLName.Local != method+dir || n.XMLName.Space != soap.Namespace {
				t.Fatalf("%s %s: body element {%s}%s, WSDL message part %v", method, dir, n.XMLName.Space, n.XMLName.Local, want)
			}
			el, _ := doc.element(method + dir)
			doc.check(t, method+dir, n, el.Sequence)
		}
	}
	for _, m := range soap.Methods() {
		if !served2[m] {
			t.Errorf("operation %s was never exercised", m)
		}
	}
}
