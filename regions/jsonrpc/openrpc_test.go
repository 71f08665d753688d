package jsonrpc_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/fedhealth/federation/regions/jsonrpc"
	"github.com/fedhealth/federation/regions/missim/rpcsim"
)

func TestTheOpenRPCDocumentSimulatorAndAdapterNameTheSameMethods(t *testing.T) {
	doc, err := jsonrpc.ParseOpenRPC()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenRPC, "1.") {
		t.Errorf("openrpc %q, want a 1.x document", doc.OpenRPC)
	}
	var documented []string
	for _, m := range doc.Methods {
		documented = append(documented, m.Name)
	}
	slices.Sort(documented)
	adapter := slices.Sorted(slices.Values(jsonrpc.Methods()))
	if served := rpcsim.Methods(); !slices.Equal(served, documented) {
		t.Errorf("the simulator serves %v, the document describes %v", served, documented)
	}
	if !slices.Equal(adapter, documented) {
		t.Errorf("the adapter calls %v, the document describes %v", adapter, documented)
	}
}

func TestTheOpenRPCParamsAreTheWireStructs(t *testing.T) {
	doc, err := jsonrpc.ParseOpenRPC()
	if err != nil {
		t.Fatal(err)
	}
	structs := map[string]any{
		jsonrpc.MethodSchedule: jsonrpc.ScheduleParams{}, jsonrpc.MethodCreate: jsonrpc.CreateParams{},
		jsonrpc.MethodCancel: jsonrpc.CancelParams{}, jsonrpc.MethodShift: jsonrpc.ShiftParams{},
		jsonrpc.MethodReceptions: jsonrpc.ReceptionsParams{},
	}
	for _, m := range doc.Methods {
		want := map[string]bool{} // param name -> required
		typ := reflect.TypeOf(structs[m.Name])
		for i := range typ.NumField() {
			name, opts, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			want[name] = opts != "omitempty"
		}
		got := map[string]bool{}
		for _, p := range m.Params {
			got[p.Name] = p.Required
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: the document's params (name: required) %v, the wire struct's %v", m.Name, got, want)
		}
	}
}

func TestEveryErrorCodeTheAdapterKnowsIsDocumentedAndViceVersa(t *testing.T) {
	doc, err := jsonrpc.ParseOpenRPC()
	if err != nil {
		t.Fatal(err)
	}
	var documented []int
	for _, e := range doc.Components.Errors {
		documented = append(documented, e.Code)
	}
	slices.Sort(documented)
	if known := slices.Sorted(slices.Values(jsonrpc.Codes())); !slices.Equal(known, documented) {
		t.Errorf("the adapter maps codes %v, the document defines %v", known, documented)
	}
}
