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
