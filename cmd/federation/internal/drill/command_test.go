package drill_test

import (
	"context"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/fedhealth/federation/cmd/federation/internal/drill"
)

var drillArgs = flag.String("drill.args", "", `run "federation drill" with these arguments (space-separated), e.g. "--short kill"`)

// TestCommand runs the drill command as a developer asks for it, before
// the command is wired into the binary: go test -run TestCommand -args -drill.args="--short all".
func TestCommand(t *testing.T) {
	if *drillArgs == "" {
		t.Skip("no -drill.args")
	}
	if err := drill.Main(context.Background(), strings.Fields(*drillArgs), os.Stdout, os.Stderr); err != nil {
		t.Fatal(err)
	}
}
