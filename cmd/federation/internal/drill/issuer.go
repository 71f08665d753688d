package drill

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/fedhealth/federation/broker/auth"
)

// issuer is the drills' identity provider: a development issuer served on
// loopback by the drill process itself, as its own service (serve refuses
// the demo's built-in one). It outlives broker restarts, so tokens do too.
type issuer struct {
	dev *auth.DevIssuer
	srv *http.Server
}

func startIssuer() (*issuer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("drill: issuer: %w", err)
	}
	dev, err := auth.NewDevIssuer("http://"+ln.Addr().String(), "federation")
	if err != nil {
		_ = ln.Close()
		return nil, err
	}
	i := &issuer{dev: dev, srv: &http.Server{Handler: dev.Handler(), ReadHeaderTimeout: 5 * time.Second}}
	go func() {
		if err := i.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			panic(fmt.Sprintf("drill: issuer stopped: %v", err)) // the drill cannot go on without it
		}
	}()
	return i, nil
}

// url is the issuer URL its tokens carry.
func (i *issuer) url() string { return i.dev.Issuer() }

func (i *issuer) close() error { return i.srv.Close() }
