package audit

import (
	"net"
	"net/netip"
)

// The classes of a caller's address that records keep instead of the
// address itself.
const (
	ClientLoopback = "loopback"
	ClientPrivate  = "private"
	ClientPublic   = "public"
	ClientUnknown  = "unknown"
)

// ClientClass classes an HTTP request's RemoteAddr ("host:port"): enough
// to tell an internal caller from the internet in an investigation, while
// the address itself, personal data under the law, stays out of the trail.
// Behind a reverse proxy it classes the proxy.
func ClientClass(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return ClientUnknown
	}
	addr = addr.Unmap()
	switch {
	case addr.IsLoopback():
		return ClientLoopback
	case addr.IsPrivate() || addr.IsLinkLocalUnicast():
		return ClientPrivate
	case addr.IsGlobalUnicast():
		return ClientPublic
	}
	return ClientUnknown
}
