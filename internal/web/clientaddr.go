package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"strings"
)

// WithTrustedProxies takes the client's address from X-Forwarded-For
// when a request comes from one of the prefixes: the reverse proxies in
// front of this server. From anyone else the header is ignored, since
// any client can write one.
func WithTrustedProxies(prefixes []netip.Prefix) Option {
	return func(s *Server) { s.proxies = prefixes }
}

// ParseProxies reads "CIDR,…" (a bare address is its own /32 or /128).
func ParseProxies(spec string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	var errs []error
	for part := range strings.SplitSeq(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			a, err := netip.ParseAddr(part)
			if err != nil {
				errs = append(errs, fmt.Errorf("%q: not an address or CIDR prefix", part))
				continue
			}
			part = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()).String()
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			errs = append(errs, fmt.Errorf("%q: not an address or CIDR prefix", part))
			continue
		}
		out = append(out, p.Masked())
	}
	return out, errors.Join(errs...)
}

// clientAddr is the address a request came from: the peer's, or, when
// the peer is a trusted proxy, the nearest hop of X-Forwarded-For that is
// not. Hops are read from the right, the end each proxy appends to; what
// lies left of the first untrusted hop the client wrote itself. A hop
// that does not parse ends the walk at the proxy that passed it on.
func (s *Server) clientAddr(r *http.Request) netip.Addr {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	addr := peer.Addr().Unmap()
	if !s.trusted(addr) {
		return addr
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for _, hop := range slices.Backward(hops) {
		a, ok := parseHop(strings.TrimSpace(hop))
		if !ok {
			return addr
		}
		addr = a
		if !s.trusted(addr) {
			return addr
		}
	}
	return addr
}

func parseHop(hop string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(hop); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(hop); err == nil { // some proxies add the port
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

func (s *Server) trusted(a netip.Addr) bool {
	return slices.ContainsFunc(s.proxies, func(p netip.Prefix) bool { return p.Contains(a) })
}
