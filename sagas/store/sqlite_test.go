package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/fedhealth/federation/sagas/store"
	"github.com/fedhealth/federation/sagas/store/storetest"
)

func TestSQLiteStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		db, err := store.Open(context.Background(), store.Config{Path: filepath.Join(t.TempDir(), "test.db")}, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}

func TestSQLiteStoreSurvivesReopening(t *testing.T) {
	path := filepath.Join(t.TempDir(), "test.db")
	for range 2 { // the second open finds the schema migrated already
		db, err := store.Open(context.Background(), store.Config{Path: path}, nil)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
}
