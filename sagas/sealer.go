package sagas

import (
	"encoding/json"
	"fmt"

	"github.com/fedhealth/federation/contracts"
)

// Sealer encrypts the patient identifiers a saga must hand to the MIS, so
// the store never holds them in clear. The broker's auth package provides
// one (AES-256-GCM).
type Sealer interface {
	Seal(plaintext []byte) ([]byte, error)
	Open(sealed []byte) ([]byte, error)
}

// SealPatient seals p for Booking.PatientSealed.
func SealPatient(s Sealer, p contracts.Patient) ([]byte, error) {
	plain, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return s.Seal(plain)
}

// OpenPatient reverses SealPatient. An empty input gives an empty Patient.
func OpenPatient(s Sealer, sealed []byte) (contracts.Patient, error) {
	var p contracts.Patient
	if len(sealed) == 0 {
		return p, nil
	}
	plain, err := s.Open(sealed)
	if err != nil {
		return p, fmt.Errorf("open patient identifiers: %w", err)
	}
	return p, json.Unmarshal(plain, &p)
}
