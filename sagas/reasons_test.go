package sagas

import (
	"testing"

	"github.com/fedhealth/federation/contracts"
)

func TestEveryKindHasACitizenReason(t *testing.T) {
	for _, k := range contracts.Kinds() {
		if reasons[k] == "" {
			t.Errorf("kind %v has no citizen reason", k)
		}
	}
}
