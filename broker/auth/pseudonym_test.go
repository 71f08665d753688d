package auth

import "testing"

func TestPseudonym(t *testing.T) {
	p, err := NewPseudonymizer(key(1, 32))
	if err != nil {
		t.Fatal(err)
	}
	again, _ := NewPseudonymizer(key(1, 32))
	other, _ := NewPseudonymizer(key(2, 32))
	snils := p.Pseudonym("snils", "11223344595")

	if len(snils) != 32 {
		t.Fatalf("pseudonym %q has %d characters, want 32", snils, len(snils))
	}
	if again.Pseudonym("snils", "11223344595") != snils {
		t.Fatal("the same key gave another pseudonym")
	}
	if other.Pseudonym("snils", "11223344595") == snils {
		t.Fatal("another key gave the same pseudonym")
	}
	if p.Pseudonym("oms", "11223344595") == snils {
		t.Fatal("the same digits in another role gave the same pseudonym")
	}
	if p.Pseudonym("snils", "11223344596") == snils {
		t.Fatal("another value gave the same pseudonym")
	}
}

func TestPseudonymizerKeepsItsOwnCopyOfTheKey(t *testing.T) {
	k := key(1, 32)
	p, _ := NewPseudonymizer(k)
	before := p.Pseudonym("citizen", "a")
	k[0] = 9
	if p.Pseudonym("citizen", "a") != before {
		t.Fatal("changing the caller's slice changed the pseudonym")
	}
}

func TestNewPseudonymizerRefusesShortKeys(t *testing.T) {
	if _, err := NewPseudonymizer(key(1, 31)); err == nil {
		t.Fatal("a 31-byte key was accepted")
	}
}

func TestPatientKeysAreNormalizedAndSeparateFromOtherPseudonyms(t *testing.T) {
	p, _ := NewPseudonymizer(key(1, 32))
	snils := SyntheticSNILS("c1")
	keys := p.PatientKeys(snils, "")
	if len(keys) != 1 || keys[0] == p.Pseudonym("snils", snils) {
		t.Fatalf("keys %v: want one key unlike the snils pseudonym", keys)
	}
	formatted := snils[0:3] + "-" + snils[3:6] + "-" + snils[6:9] + " " + snils[9:]
	if again := p.PatientKeys(formatted, ""); len(again) != 1 || again[0] != keys[0] {
		t.Fatalf("formatted SNILS gave %v, want %v", again, keys)
	}
	if both := p.PatientKeys(snils, SyntheticOMS("c1")); len(both) != 2 {
		t.Fatalf("SNILS and OMS gave %v", both)
	}
	if none := p.PatientKeys("", "bad"); len(none) != 0 {
		t.Fatalf("no valid identifier gave %v", none)
	}
}
