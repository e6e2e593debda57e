package rules

import (
	"net/netip"
	"strings"
)

// validIP is StreamAlert's valid_ip: an IPv4 or IPv6 address, except
// "::1", which StreamAlert refuses on purpose. Parsing is strict (no
// zones, no octal or short IPv4 forms) where netaddr was lenient.
func validIP(v any) (netip.Addr, bool) {
	s, ok := v.(string)
	if !ok || s == "::1" || strings.ContainsRune(s, '%') {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(s)
	return a, err == nil
}

// validIPv4 is Python's ipaddress.IPv4Address(x) succeeding: a dotted
// quad, or an integer in range.
func validIPv4(v any) bool {
	switch x := v.(type) {
	case string:
		a, err := netip.ParseAddr(x)
		return err == nil && a.Is4()
	case int64:
		return x >= 0 && x <= 1<<32-1
	}
	return false
}

// parsePrefix parses a CIDR as netaddr.IPNetwork does, which also takes
// a bare address as a /32 or /128 network. Parsing costs tens of
// nanoseconds, less than a shared cache would in contention.
func parsePrefix(s string) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), true
	}
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}

// inNetwork is StreamAlert's in_network: ip is valid and inside one of
// cidrs. Bad CIDRs are skipped.
func inNetwork(ip any, cidrs []any) bool {
	a, ok := validIP(ip)
	if !ok {
		return false
	}
	for _, c := range cidrs {
		s, ok := c.(string)
		if !ok {
			continue
		}
		if p, ok := parsePrefix(s); ok && p.Contains(a) {
			return true
		}
	}
	return false
}
