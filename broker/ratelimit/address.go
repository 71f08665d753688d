package ratelimit

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientAddress is the address r came from: the peer's, or, when the peer
// is a trusted proxy, the rightmost X-Forwarded-For hop that is not one.
// Hops left of it were written by the client or by proxies we do not run,
// and anyone can write them: trusting them would let a caller pick its own
// key. A hop that does not parse stops the walk at the last trusted one.
func clientAddress(r *http.Request, trusted []netip.Prefix) netip.Addr {
	peer := parseHost(r.RemoteAddr)
	if !peer.IsValid() || !isTrusted(peer, trusted) {
		return peer
	}
	hops := forwardedHops(r.Header.Values("X-Forwarded-For"))
	last := peer
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return last
		}
		hop = hop.Unmap().WithZone("")
		if !isTrusted(hop, trusted) {
			return hop
		}
		last = hop
	}
	return last // every hop is ours: the nearest to the client is the best we know
}

// forwardedHops splits X-Forwarded-For headers (a proxy may add a header
// rather than append to the last one) into hops, leftmost first.
func forwardedHops(headers []string) []string {
	var hops []string
	for _, h := range headers {
		hops = append(hops, strings.Split(h, ",")...)
	}
	return hops
}

func parseHost(remoteAddr string) netip.Addr {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap().WithZone("")
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// addressKey is the key an address is limited by: an IPv4 address itself,
// an IPv6 address by its /64, since one subscriber typically gets a whole
// /64 and could otherwise take a fresh bucket per address.
func addressKey(a netip.Addr) string {
	if !a.IsValid() {
		return "unknown"
	}
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}
