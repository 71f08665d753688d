package auth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// verifiedCitizen is a Citizen as the Verifier yields it, subject hash set.
func verifiedCitizen(subject, snils, oms string) Citizen {
	return Citizen{Subject: subject, SNILS: snils, OMS: oms, subjectHash: testPseudonyms.SubjectHash(subject)}
}

func TestLoggingACitizenNeverShowsIdentifiers(t *testing.T) {
	c := verifiedCitizen("esia-oid-1000", "11223344595", "1234567890123456")
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("booking requested", "citizen", c)
	printed := []string{
		buf.String(),
		fmt.Sprint(c), fmt.Sprintf("%v %+v %#v %s", c, c, c, c), c.String(),
		fmt.Sprintf("%v", &c), fmt.Sprintf("%+v", struct{ C Citizen }{c}),
	}
	for _, out := range printed {
		for _, secret := range []string{c.SNILS, c.OMS, "112-233", c.Subject} {
			if strings.Contains(out, secret) {
				t.Errorf("output %q contains %q", out, secret)
			}
		}
		if !strings.Contains(out, c.SubjectHash()) {
			t.Errorf("output %q lacks the subject hash %q", out, c.SubjectHash())
		}
	}
	if !strings.Contains(buf.String(), `"has_snils":true`) {
		t.Errorf("log %q does not say that a SNILS is present", buf.String())
	}
}

func TestSubjectHashIsKeyedShortAndStable(t *testing.T) {
	other, _ := NewPseudonymizer(key(2, 32))
	a, b := verifiedCitizen("x", "", ""), verifiedCitizen("x", "11223344595", "")
	if a.SubjectHash() != b.SubjectHash() || len(a.SubjectHash()) != subjectHashLen {
		t.Fatalf("hashes %q and %q", a.SubjectHash(), b.SubjectHash())
	}
	if a.SubjectHash() == verifiedCitizen("y", "", "").SubjectHash() {
		t.Fatal("different subjects share a hash")
	}
	if other.SubjectHash("x") == a.SubjectHash() {
		t.Fatal("another key gave the same hash: it is not keyed")
	}
	bare := sha256.Sum256([]byte("x"))
	if strings.HasPrefix(hex.EncodeToString(bare[:]), a.SubjectHash()) {
		t.Fatal("the hash is a bare SHA-256 of the subject")
	}
	if a.SubjectHash() == testPseudonyms.Pseudonym("citizen", "x")[:subjectHashLen] {
		t.Fatal("the log hash is a prefix of the stored pseudonym: logs could be joined to the store")
	}
	if got := (Citizen{Subject: "x"}).String(); got != "citizen:unverified" {
		t.Fatalf("a hand-made Citizen prints %q, want citizen:unverified", got)
	}
}

func TestVerifiedCitizensCarryTheKeyedHash(t *testing.T) {
	ti := startIssuer(t)
	v := newTestVerifier(t, ti, nil)
	c, err := v.Verify(context.Background(), mustIssue(t, ti.DevIssuer, "esia-oid-5"))
	if err != nil {
		t.Fatal(err)
	}
	if c.SubjectHash() != testPseudonyms.SubjectHash("esia-oid-5") {
		t.Fatalf("verified citizen hash %q, want the pseudonymizer's %q", c.SubjectHash(), testPseudonyms.SubjectHash("esia-oid-5"))
	}
}
