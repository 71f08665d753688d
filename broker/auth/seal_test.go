package auth

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
)

func key(b byte, n int) []byte { return bytes.Repeat([]byte{b}, n) }

var bookingA, bookingB = []byte("booking-patient:A"), []byte("booking-patient:B")

func TestSealerRoundTrip(t *testing.T) {
	s, err := NewSealer(key(1, 32))
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte(`{"snils":"11223344595","oms":"1234567890123456"}`)
	a, err := s.Seal(plain, bookingA)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.Seal(plain, bookingA)
	if bytes.Equal(a, b) {
		t.Fatal("two seals of the same plaintext are equal: nonces are not random")
	}
	if bytes.Contains(a, []byte("11223344595")) {
		t.Fatal("sealed data contains the plaintext")
	}
	if a[0] != sealVersion {
		t.Fatalf("sealed data starts with %#x, want the version byte %#x", a[0], sealVersion)
	}
	got, err := s.Open(a, bookingA)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if empty, _ := s.Seal(nil, nil); len(empty) == 0 {
		t.Fatal("sealing nothing gave nothing")
	}
}

func TestSealedDataOpensOnlyForItsBooking(t *testing.T) {
	s, _ := NewSealer(key(1, 32))
	sealed, _ := s.Seal([]byte("11223344595"), bookingA)
	for _, aad := range [][]byte{bookingB, nil, []byte("booking-patient:A ")} {
		if got, err := s.Open(sealed, aad); !errors.Is(err, ErrSealBroken) {
			t.Fatalf("Open(sealed for A, %q) = %q, %v; want ErrSealBroken", aad, got, err)
		}
	}
}

func TestSealerRotatesKeysWithoutDraining(t *testing.T) {
	oldKey, newKey := key(1, 32), key(2, 32)
	before, _ := NewSealer(oldKey)
	sealedBefore, _ := before.Seal([]byte("11223344595"), bookingA)

	after, err := NewSealer(newKey, oldKey)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := after.Open(sealedBefore, bookingA); err != nil || string(got) != "11223344595" {
		t.Fatalf("old key after rotation: Open = %q, %v", got, err)
	}
	sealedAfter, _ := after.Seal([]byte("1234567890123456"), bookingA)
	if !bytes.Equal(sealedAfter[1:5], sealKeyIDOf(newKey)) {
		t.Fatalf("after rotation sealed under key id %x, want the new key's %x", sealedAfter[1:5], sealKeyIDOf(newKey))
	}

	_, err = before.Open(sealedAfter, bookingA)
	if !errors.Is(err, ErrSealKeyUnknown) || !errors.Is(err, ErrSealBroken) {
		t.Fatalf("a sealer without the new key: Open = %v, want ErrSealKeyUnknown", err)
	}
	if !strings.Contains(err.Error(), "key id") {
		t.Errorf("error %q does not name the unknown key id", err)
	}
}

func sealKeyIDOf(k []byte) []byte { id := sealKeyID(k); return id[:] }

// legacySeal is how earlier releases sealed: nonce || ciphertext || tag,
// no header, no associated data. A nil nonce means a random one.
func legacySeal(t testing.TB, k, nonce, plain []byte) []byte {
	t.Helper()
	block, err := aes.NewCipher(k)
	if err != nil {
		t.Fatal(err)
	}
	aead, _ := cipher.NewGCM(block)
	if nonce == nil {
		nonce = make([]byte, aead.NonceSize())
		_, _ = rand.Read(nonce)
	}
	return aead.Seal(bytes.Clone(nonce), nonce, plain, nil)
}

func TestSealerStillOpensTheLegacyFormat(t *testing.T) {
	oldKey := key(1, 32)
	legacy := legacySeal(t, oldKey, nil, []byte("11223344595"))
	// A legacy seal whose random nonce happens to begin like a header.
	lookalikeNonce := append(append([]byte{sealVersion}, sealKeyIDOf(oldKey)...), 1, 2, 3, 4, 5, 6, 7)
	lookalike := legacySeal(t, oldKey, lookalikeNonce, []byte("11223344595"))

	for name, newSealer := range map[string]func() (*Sealer, error){
		"with the key current": func() (*Sealer, error) { return NewSealer(oldKey) },
		"with the key old":     func() (*Sealer, error) { return NewSealer(key(2, 32), oldKey) },
	} {
		t.Run(name, func(t *testing.T) {
			s, err := newSealer()
			if err != nil {
				t.Fatal(err)
			}
			for _, sealed := range [][]byte{legacy, lookalike} {
				if got, err := s.Open(sealed, bookingA); err != nil || string(got) != "11223344595" {
					t.Fatalf("legacy Open = %q, %v", got, err)
				}
			}
		})
	}
	other, _ := NewSealer(key(3, 32))
	if _, err := other.Open(legacy, bookingA); !errors.Is(err, ErrSealBroken) {
		t.Fatalf("another key opened a legacy seal: %v", err)
	}
}

func TestSealerDetectsTampering(t *testing.T) {
	s, _ := NewSealer(key(1, 32))
	other, _ := NewSealer(key(2, 32))
	sealed, _ := s.Seal([]byte("11223344595"), bookingA)
	flip := func(i int) []byte {
		c := bytes.Clone(sealed)
		c[i] ^= 1
		return c
	}
	tests := []struct {
		name   string
		sealer *Sealer
		data   []byte
	}{
		{"a flipped version bit is detected", s, flip(0)},
		{"a flipped key id bit is detected", s, flip(2)},
		{"a flipped nonce bit is detected", s, flip(5)},
		{"a flipped ciphertext bit is detected", s, flip(18)},
		{"a flipped tag bit is detected", s, flip(len(sealed) - 1)},
		{"a truncated message is detected", s, sealed[:len(sealed)-1]},
		{"a message shorter than a nonce is detected", s, sealed[:5]},
		{"nothing at all is detected", s, nil},
		{"another key cannot open it", other, sealed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := tt.sealer.Open(tt.data, bookingA); !errors.Is(err, ErrSealBroken) {
				t.Fatalf("Open = %q, %v; want ErrSealBroken", got, err)
			}
		})
	}
}

func TestNewSealerNeedsDistinct32ByteKeys(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33} {
		if _, err := NewSealer(key(1, n)); err == nil {
			t.Errorf("a %d-byte key was accepted", n)
		}
		if _, err := NewSealer(key(1, 32), key(2, n)); err == nil {
			t.Errorf("a %d-byte old key was accepted", n)
		}
	}
	if _, err := NewSealer(key(1, 32), key(1, 32)); err == nil {
		t.Error("the current key repeated as an old key was accepted")
	}
}
