package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/fedhealth/federation/sagas/store"
	"github.com/fedhealth/federation/sagas/store/storetest"
)

func openSQLite(t *testing.T, path string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), store.Config{Path: path}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestSQLiteStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		return openSQLite(t, filepath.Join(t.TempDir(), "test.db"))
	})
}

func TestSQLiteStoreTwoHandles(t *testing.T) {
	storetest.RunPair(t, func(t *testing.T) (storetest.Store, storetest.Store) {
		path := filepath.Join(t.TempDir(), "test.db")
		return openSQLite(t, path), openSQLite(t, path)
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
