package auth

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestLoggingACitizenNeverShowsIdentifiers(t *testing.T) {
	c := Citizen{Subject: "esia-oid-1000", SNILS: "11223344595", OMS: "1234567890123456"}
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

func TestSubjectHashIsShortAndStable(t *testing.T) {
	a, b := Citizen{Subject: "x"}, Citizen{Subject: "x", SNILS: "11223344595"}
	if a.SubjectHash() != b.SubjectHash() || len(a.SubjectHash()) != subjectHashLen {
		t.Fatalf("hashes %q and %q", a.SubjectHash(), b.SubjectHash())
	}
	if a.SubjectHash() == (Citizen{Subject: "y"}).SubjectHash() {
		t.Fatal("different subjects share a hash")
	}
}
