package sagas_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
)

// aadSealer keeps plaintext readable but checks the associated data, as an
// AEAD would: enough to see which booking a seal is bound to (broker/auth
// tests the real cipher).
type aadSealer struct{}

var errWrongAAD = errors.New("associated data differs")

func (aadSealer) Seal(p, aad []byte) ([]byte, error) {
	return append(append([]byte{byte(len(aad))}, aad...), p...), nil
}

func (aadSealer) Open(s, aad []byte) ([]byte, error) {
	if len(s) == 0 || int(s[0]) > len(s)-1 || !bytes.Equal(s[1:1+int(s[0])], aad) {
		return nil, errWrongAAD
	}
	return s[1+int(s[0]):], nil
}

func TestPatientIdentifiersAreBoundToTheirBooking(t *testing.T) {
	p := contracts.Patient{SNILS: "11223344595", OMS: "1234567890123456"}
	sealed, err := sagas.SealPatient(aadSealer{}, "booking-A", p)
	if err != nil {
		t.Fatal(err)
	}
	got, err := sagas.OpenPatient(aadSealer{}, "booking-A", sealed)
	if err != nil || got != p {
		t.Fatalf("OpenPatient(same booking) = %+v, %v", got, err)
	}
	if _, err := sagas.OpenPatient(aadSealer{}, "booking-B", sealed); !errors.Is(err, errWrongAAD) {
		t.Fatalf("OpenPatient(another booking) = %v, want the sealer's refusal", err)
	}
	if got, err := sagas.OpenPatient(aadSealer{}, "booking-B", nil); err != nil || got != (contracts.Patient{}) {
		t.Fatalf("OpenPatient(nothing) = %+v, %v; want an empty patient", got, err)
	}
}
