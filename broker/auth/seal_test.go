package auth

import (
	"bytes"
	"errors"
	"testing"
)

func key(b byte, n int) []byte { return bytes.Repeat([]byte{b}, n) }

func TestSealerRoundTrip(t *testing.T) {
	s, err := NewSealer(key(1, 32))
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte(`{"snils":"11223344595","oms":"1234567890123456"}`)
	a, err := s.Seal(plain)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.Seal(plain)
	if bytes.Equal(a, b) {
		t.Fatal("two seals of the same plaintext are equal: nonces are not random")
	}
	if bytes.Contains(a, []byte("11223344595")) {
		t.Fatal("sealed data contains the plaintext")
	}
	got, err := s.Open(a)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if empty, _ := s.Seal(nil); len(empty) == 0 {
		t.Fatal("sealing nothing gave nothing")
	}
}

func TestSealerDetectsTampering(t *testing.T) {
	s, _ := NewSealer(key(1, 32))
	other, _ := NewSealer(key(2, 32))
	sealed, _ := s.Seal([]byte("11223344595"))
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
		{"a flipped nonce bit is detected", s, flip(0)},
		{"a flipped ciphertext bit is detected", s, flip(13)},
		{"a flipped tag bit is detected", s, flip(len(sealed) - 1)},
		{"a truncated message is detected", s, sealed[:len(sealed)-1]},
		{"a message shorter than a nonce is detected", s, sealed[:5]},
		{"another key cannot open it", other, sealed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := tt.sealer.Open(tt.data); !errors.Is(err, ErrSealBroken) {
				t.Fatalf("Open = %q, %v; want ErrSealBroken", got, err)
			}
		})
	}
}

func TestNewSealerNeedsA32ByteKey(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33} {
		if _, err := NewSealer(key(1, n)); err == nil {
			t.Errorf("a %d-byte key was accepted", n)
		}
	}
}
