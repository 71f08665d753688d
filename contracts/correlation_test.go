package contracts_test

import (
	"context"
	"testing"

	"github.com/fedhealth/federation/contracts"
)

func TestACorrelationIDTravelsInTheContextOnlyWhenWellFormed(t *testing.T) {
	cases := map[string]struct{ id, want string }{
		"a uuid travels":                {"0b8f8d4e-2c3a-4f6e-9d1b-7a5c3e2f1a0b", "0b8f8d4e-2c3a-4f6e-9d1b-7a5c3e2f1a0b"},
		"a header injection is dropped": {"abc\r\nX-Evil: 1", ""},
		"an empty id is not carried":    {"", ""},
		"an overlong id is not carried": {string(make([]byte, 65)), ""},
		"dots and underscores are fine": {"req_1.2", "req_1.2"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if got := contracts.CorrelationID(contracts.WithCorrelationID(context.Background(), c.id)); got != c.want {
				t.Errorf("carried %q, want %q", got, c.want)
			}
		})
	}
}
