package main

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// secretKeys protect citizens' identifiers: Pseudonym keys the citizen
// pseudonyms (losing it loses every citizen's history), Seal encrypts the
// patient identifiers sagas hand to the MIS.
type secretKeys struct {
	Pseudonym []byte `json:"pseudonym"`
	Seal      []byte `json:"seal"`
}

// demoKeys loads the demo's keys from path, making them on first run, so
// that a demo restarted on the same data still knows its citizens.
// Production reads keys from its secret store (see serve's config).
func demoKeys(path string) (secretKeys, error) {
	var k secretKeys
	data, err := os.ReadFile(path)
	if err == nil {
		return k, json.Unmarshal(data, &k)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return k, err
	}
	k.Pseudonym, k.Seal = make([]byte, 32), make([]byte, 32)
	_, _ = rand.Read(k.Pseudonym)
	_, _ = rand.Read(k.Seal)
	if data, err = json.Marshal(k); err != nil {
		return k, err
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return k, fmt.Errorf("write demo keys: %w", err)
	}
	return k, nil
}
