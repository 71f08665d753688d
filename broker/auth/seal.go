package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// sealKeyBytes: AES-256.
const sealKeyBytes = 32

// ErrSealBroken is returned by Open when sealed data was altered, truncated
// or sealed under another key.
var ErrSealBroken = errors.New("auth: sealed data cannot be opened")

// Sealer encrypts the few personal identifiers a saga must keep until it
// hands them to a regional MIS (and erases when it ends), so that database
// rows, backups and dead-letter messages hold only ciphertext. It uses
// AES-256-GCM with a random 96-bit nonce per message, which stays safe for
// far more messages than one key will ever seal. It is safe for concurrent
// use.
type Sealer struct {
	aead cipher.AEAD
}

// NewSealer takes a 32-byte secret key.
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != sealKeyBytes {
		return nil, fmt.Errorf("auth: seal key must be %d bytes, got %d", sealKeyBytes, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("auth: seal cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("auth: seal GCM: %w", err)
	}
	return &Sealer{aead: aead}, nil
}

// Seal returns nonce || ciphertext || tag for plaintext.
func (s *Sealer) Seal(plaintext []byte) ([]byte, error) {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plaintext)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("auth: seal nonce: %w", err)
	}
	return s.aead.Seal(nonce, nonce, plaintext, nil), nil
}

// Open authenticates and decrypts what Seal produced; any alteration gives
// ErrSealBroken.
func (s *Sealer) Open(sealed []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return nil, ErrSealBroken
	}
	plaintext, err := s.aead.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return nil, ErrSealBroken
	}
	return plaintext, nil
}
