package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// sealKeyBytes: AES-256.
const sealKeyBytes = 32

// The sealed format, version 1:
//
//	0x01 || key id (4 bytes) || nonce (12) || ciphertext || tag (16)
//
// The key id is derived from the key (see sealKeyID), so keys rotate
// without a registry of ids: a sealer opens what any key it holds sealed,
// and old rows need not be drained first. The 5-byte header is part of the
// associated data together with the caller's, so neither can be swapped.
const (
	sealVersion     byte = 1
	sealKeyIDBytes       = 4
	sealHeaderBytes      = 1 + sealKeyIDBytes
)

// ErrSealBroken is returned by Open when sealed data was altered, truncated,
// sealed under another key or for other associated data (another booking).
var ErrSealBroken = errors.New("auth: sealed data cannot be opened")

// ErrSealKeyUnknown is returned by Open when the data names a key id that
// is neither the current key nor one of the old keys the Sealer was given:
// an old key was dropped too early, or the keys are not this deployment's.
// It wraps ErrSealBroken.
var ErrSealKeyUnknown = fmt.Errorf("%w: sealed under a key this sealer does not hold", ErrSealBroken)

// Sealer encrypts the few personal identifiers a saga must keep until it
// hands them to a regional MIS (and erases when it ends), so that database
// rows, backups and dead-letter messages hold only ciphertext. It uses
// AES-256-GCM with a random 96-bit nonce per message, which stays safe for
// far more messages than one key will ever seal, and binds every message to
// associated data the caller names (the booking id), so a sealed value
// copied onto another row does not open there. It is safe for concurrent
// use.
type Sealer struct {
	current sealKey
	byID    map[[sealKeyIDBytes]byte]cipher.AEAD
	all     []cipher.AEAD // current first; for the legacy format, which names no key
}

type sealKey struct {
	id   [sealKeyIDBytes]byte
	aead cipher.AEAD
}

// NewSealer takes the current 32-byte secret key, which seals, and any old
// keys, which only open what they sealed before a rotation. Rotate by
// making the current key old and adding a new one; drop an old key once no
// stored row needs it (rows are erased when their saga ends).
func NewSealer(current []byte, old ...[]byte) (*Sealer, error) {
	s := &Sealer{byID: map[[sealKeyIDBytes]byte]cipher.AEAD{}}
	for i, raw := range append([][]byte{current}, old...) {
		k, err := newSealKey(raw)
		if err != nil {
			return nil, err
		}
		if _, dup := s.byID[k.id]; dup {
			return nil, fmt.Errorf("auth: seal key %d repeats a key (or shares its id %x)", i, k.id)
		}
		if i == 0 {
			s.current = k
		}
		s.byID[k.id] = k.aead
		s.all = append(s.all, k.aead)
	}
	return s, nil
}

func newSealKey(raw []byte) (sealKey, error) {
	if len(raw) != sealKeyBytes {
		return sealKey{}, fmt.Errorf("auth: seal key must be %d bytes, got %d", sealKeyBytes, len(raw))
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return sealKey{}, fmt.Errorf("auth: seal cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return sealKey{}, fmt.Errorf("auth: seal GCM: %w", err)
	}
	return sealKey{id: sealKeyID(raw), aead: aead}, nil
}

// sealKeyID is 4 bytes of a labelled SHA-256 of the key: it tells keys
// apart and reveals nothing usable about a 256-bit secret.
func sealKeyID(key []byte) [sealKeyIDBytes]byte {
	sum := sha256.Sum256(append([]byte("federation seal key id\x00"), key...))
	return [sealKeyIDBytes]byte(sum[:sealKeyIDBytes])
}

// Seal encrypts plaintext under the current key, bound to aad: Open needs
// the same aad. The result is in the version-1 format above.
func (s *Sealer) Seal(plaintext, aad []byte) ([]byte, error) {
	a := s.current.aead
	out := make([]byte, sealHeaderBytes+a.NonceSize(), sealHeaderBytes+a.NonceSize()+len(plaintext)+a.Overhead())
	out[0] = sealVersion
	copy(out[1:sealHeaderBytes], s.current.id[:])
	nonce := out[sealHeaderBytes:]
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("auth: seal nonce: %w", err)
	}
	return a.Seal(out, nonce, plaintext, associated(out[:sealHeaderBytes], aad)), nil
}

// Open authenticates and decrypts what Seal produced with the same aad,
// under whichever of the sealer's keys sealed it. Any alteration, or
// another aad, gives ErrSealBroken; a key id the sealer does not hold gives
// ErrSealKeyUnknown.
//
// Open also reads the legacy format of earlier releases — nonce || ciphertext
// || tag, no header, sealed with no associated data — because stores may
// still hold such rows (a demo run with --data, sagas in flight during the
// upgrade). Those open with nil associated data whatever aad is passed: they
// were never bound to a booking. Remove this once no such row can remain.
func (s *Sealer) Open(sealed, aad []byte) ([]byte, error) {
	unknownID := false
	if n := s.current.aead.NonceSize(); len(sealed) >= sealHeaderBytes+n+s.current.aead.Overhead() && sealed[0] == sealVersion {
		id := [sealKeyIDBytes]byte(sealed[1:sealHeaderBytes])
		if a, ok := s.byID[id]; ok {
			body := sealed[sealHeaderBytes:]
			if plain, err := a.Open(nil, body[:n], body[n:], associated(sealed[:sealHeaderBytes], aad)); err == nil {
				return plain, nil
			}
		} else {
			unknownID = true
		}
		// Not (or not validly) version 1: a legacy seal's random nonce may
		// begin with these bytes by chance, so try the legacy format too.
	}
	if plain, ok := s.openLegacy(sealed); ok {
		return plain, nil
	}
	if unknownID {
		return nil, fmt.Errorf("%w (key id %x)", ErrSealKeyUnknown, sealed[1:sealHeaderBytes])
	}
	return nil, ErrSealBroken
}

func (s *Sealer) openLegacy(sealed []byte) ([]byte, bool) {
	for _, a := range s.all {
		n := a.NonceSize()
		if len(sealed) < n+a.Overhead() {
			return nil, false
		}
		if plain, err := a.Open(nil, sealed[:n], sealed[n:], nil); err == nil {
			return plain, true
		}
	}
	return nil, false
}

// associated is the GCM associated data: the fixed-size header, then the
// caller's, so the two cannot be shifted into each other.
func associated(header, aad []byte) []byte {
	return append(append(make([]byte, 0, len(header)+len(aad)), header...), aad...)
}
