package sagas

import (
	"encoding/json"
	"fmt"

	"github.com/fedhealth/federation/contracts"
)

// Sealer encrypts the patient identifiers a saga must hand to the MIS, so
// the store never holds them in clear. The broker's auth package provides
// one (AES-256-GCM with key ids, so keys rotate without draining).
//
// Seal binds the result to aad (associated data): Open must be given the
// same aad, or it fails. Implementations must be safe for concurrent use.
type Sealer interface {
	Seal(plaintext, aad []byte) ([]byte, error)
	Open(sealed, aad []byte) ([]byte, error)
}

// patientAAD binds a booking's sealed identifiers to that booking, so a
// sealed value copied onto another booking's row does not open there. The
// text is part of every stored seal: changing it makes them unopenable.
func patientAAD(bookingID string) []byte { return []byte("booking-patient:" + bookingID) }

// SealPatient seals p for Booking.PatientSealed of booking bookingID.
func SealPatient(s Sealer, bookingID string, p contracts.Patient) ([]byte, error) {
	plain, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return s.Seal(plain, patientAAD(bookingID))
}

// OpenPatient reverses SealPatient for the same booking. An empty input
// gives an empty Patient.
func OpenPatient(s Sealer, bookingID string, sealed []byte) (contracts.Patient, error) {
	var p contracts.Patient
	if len(sealed) == 0 {
		return p, nil
	}
	plain, err := s.Open(sealed, patientAAD(bookingID))
	if err != nil {
		return p, fmt.Errorf("open patient identifiers: %w", err)
	}
	return p, json.Unmarshal(plain, &p)
}
