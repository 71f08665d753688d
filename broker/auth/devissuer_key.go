package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// The DEMO-ONLY issuer's key file (see devissuer.go): one P-256 private key
// as a PKCS #8 "PRIVATE KEY" PEM block, mode 0600.

const devKeyPEMType = "PRIVATE KEY"

// loadOrCreateDevKey reads the key in path, or creates it when the file
// does not exist. Creation writes a temporary file and links it into place,
// so a crash never leaves half a key and two processes starting at once
// end up with the same key.
func loadOrCreateDevKey(path string) (*ecdsa.PrivateKey, error) {
	priv, err := readDevKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return priv, err
	}
	if priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, fmt.Errorf("auth: generate dev issuer key: %w", err)
	}
	if err := writeDevKey(path, priv); errors.Is(err, fs.ErrExist) {
		return readDevKey(path) // another process was first
	} else if err != nil {
		return nil, err
	}
	return priv, nil
}

func readDevKey(path string) (*ecdsa.PrivateKey, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("auth: dev issuer key file %s is not a regular file", path)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("auth: dev issuer key file %s may be read by others (mode %#o): chmod 600 it", path, perm)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("auth: read dev issuer key: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != devKeyPEMType {
		return nil, fmt.Errorf("auth: dev issuer key file %s holds no %q PEM block (delete it to start with a new key)", path, devKeyPEMType)
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("auth: dev issuer key file %s: %w", path, err)
	}
	priv, ok := key.(*ecdsa.PrivateKey)
	if !ok || priv.Curve != elliptic.P256() {
		return nil, fmt.Errorf("auth: dev issuer key file %s holds no P-256 key", path)
	}
	return priv, nil
}

func writeDevKey(path string, priv *ecdsa.PrivateKey) error {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return fmt.Errorf("auth: encode dev issuer key: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".dev-issuer-key-*") // created 0600
	if err != nil {
		return fmt.Errorf("auth: write dev issuer key: %w", err)
	}
	defer os.Remove(tmp.Name())
	err = pem.Encode(tmp, &pem.Block{Type: devKeyPEMType, Bytes: der})
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("auth: write dev issuer key: %w", err)
	}
	// Link, unlike rename, fails when path exists: the first writer wins.
	return os.Link(tmp.Name(), path)
}
