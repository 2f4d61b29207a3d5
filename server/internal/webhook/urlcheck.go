package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// urlPolicy decides which URLs may receive deliveries. In production a URL
// must be https and must not resolve to a loopback, private, link-local or
// otherwise internal address (SSRF); the address is checked again at every
// delivery, and the default HTTP client refuses to dial such an address
// whatever DNS answers by then.
type urlPolicy struct {
	requireHTTPS bool
	allowPrivate bool
	lookup       func(ctx context.Context, host string) ([]netip.Addr, error)
}

// checkSyntax parses raw and returns the problem to report, or "".
func (p urlPolicy) checkSyntax(raw string) (*url.URL, string) {
	if len(raw) > 2000 {
		return nil, "must be at most 2000 characters"
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || u.Hostname() == "":
		return nil, "must be an absolute URL such as https://acd.example.com/skillgate"
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, "must be an http or https URL"
	case p.requireHTTPS && u.Scheme != "https":
		return nil, "must be https"
	case u.User != nil:
		return nil, "must not carry a user name or password: authenticate deliveries with the signature"
	case u.Fragment != "":
		return nil, "must not have a #fragment"
	}
	return u, ""
}

// errBlockedAddress refuses an internal address.
var errBlockedAddress = errors.New("refused: the address is loopback, private, link-local or otherwise internal")

// checkAddress resolves u's host and refuses it when any address is
// internal (unless private addresses are allowed).
func (p urlPolicy) checkAddress(ctx context.Context, u *url.URL) error {
	if p.allowPrivate {
		return nil
	}
	host := u.Hostname()
	if a, err := netip.ParseAddr(host); err == nil {
		if blockedAddr(a) {
			return errBlockedAddress
		}
		return nil
	}
	if a, numeric, ok := parseInetAton(host); numeric {
		switch {
		case !ok:
			return errNumericHost
		case blockedAddr(a):
			return errBlockedAddress
		}
		// A public address in another form than the dotted quad: some
		// resolvers read it as the address, others look it up as a name.
		return fmt.Errorf("%w: write it as %s", errNumericHost, a)
	}
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return errBlockedAddress
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := p.lookup(ctx, host)
	if err != nil {
		return fmt.Errorf("cannot resolve %s: %w", host, err)
	}
	if len(addrs) == 0 {
		return fmt.Errorf("cannot resolve %s: no addresses", host)
	}
	for _, a := range addrs {
		if blockedAddr(a) {
			return errBlockedAddress
		}
	}
	return nil
}

// errNumericHost refuses a host made of numbers that is no IPv4 address.
var errNumericHost = errors.New("the host is made of numbers but is not an IPv4 address in dotted-quad form")

// parseInetAton reads host the way resolvers' inet_aton does: one to four
// dot-separated numbers, each decimal, octal (leading 0) or hexadecimal
// (leading 0x), the last filling the bytes the others leave ("127.1",
// "2130706433", "0x7f000001", "0177.0.0.1"); a single trailing dot is
// allowed. numeric reports whether every part looks like a number (such a
// host is not a DNS name, and some resolvers read it as an address); ok
// whether it is a valid address.
func parseInetAton(host string) (addr netip.Addr, numeric, ok bool) {
	parts := strings.Split(strings.TrimSuffix(host, "."), ".")
	vals := make([]uint64, len(parts))
	valid := true
	for i, part := range parts {
		v, isNum, fits := atonPart(part)
		if !isNum {
			return netip.Addr{}, false, false
		}
		vals[i], valid = v, valid && fits
	}
	if !valid || len(vals) > 4 {
		return netip.Addr{}, true, false
	}
	// All but the last part are one byte each; the last fills the rest.
	var n uint64
	for _, v := range vals[:len(vals)-1] {
		if v > 0xff {
			return netip.Addr{}, true, false
		}
		n = n<<8 | v
	}
	rest := uint(8 * (5 - len(vals)))
	if last := vals[len(vals)-1]; last < 1<<rest {
		n = n<<rest | last
		return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}), true, true
	}
	return netip.Addr{}, true, false
}

// atonPart reads one part of an inet_aton address. isNum reports whether
// it looks like a number (decimal digits, or 0x and hexadecimal digits);
// fits whether it is a valid one below 2³².
func atonPart(s string) (v uint64, isNum, fits bool) {
	base, digits := uint64(10), s
	switch {
	case len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'):
		base, digits = 16, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, digits = 8, s[1:]
	}
	if digits == "" {
		return 0, s != "", false // "" is no number; a bare "0x" is refused
	}
	fits = true
	for _, c := range strings.ToLower(digits) {
		var d uint64
		switch {
		case c >= '0' && c <= '9':
			d = uint64(c - '0')
		case base == 16 && c >= 'a' && c <= 'f':
			d = uint64(c-'a') + 10
		default:
			return 0, false, false
		}
		if d >= base {
			fits = false // 8 or 9 in an octal part
		}
		if v = v*base + d; v > 0xffffffff {
			fits, v = false, 0xffffffff+1
		}
	}
	return v, true, fits
}

// internalPrefixes are ranges that are not the public internet beyond what
// netip's predicates cover.
var internalPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this" network
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, broadcast
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("fec0::/10"),       // deprecated site-local
	netip.MustParsePrefix("2002::/16"),       // 6to4 may wrap internal IPv4
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64 of any IPv4, internal included
	netip.MustParsePrefix("100::/64"),        // discard-only
	netip.MustParsePrefix("2001::/32"),       // Teredo
	netip.MustParsePrefix("2001:10::/28"),    // ORCHID
	netip.MustParsePrefix("2001:20::/28"),    // ORCHIDv2
	netip.MustParsePrefix("169.254.0.0/16"),  // link-local, cloud metadata
	netip.MustParsePrefix("192.88.99.0/24"),  // 6to4 relay anycast
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
}

// blockedAddr reports whether a is an address deliveries must not reach in
// production.
func blockedAddr(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsUnspecified() || a.IsMulticast() || a.IsInterfaceLocalMulticast() {
		return true
	}
	for _, p := range internalPrefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// defaultLookup resolves with the system resolver.
func defaultLookup(ctx context.Context, host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// newHTTPClient is the delivery client: a timeout on the whole exchange, no
// redirects followed (a 3xx is a failed attempt), no proxy from the
// environment (it would bypass the address check), and, unless private
// addresses are allowed, a dialer that refuses internal addresses after DNS
// has answered, so a name that changes its address cannot slip through.
func newHTTPClient(timeout time.Duration, allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	if !allowPrivate {
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil || blockedAddr(ap.Addr()) {
				return errBlockedAddress
			}
			return nil
		}
	}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			DialContext:           dialer.DialContext,
			TLSHandshakeTimeout:   5 * time.Second,
			ResponseHeaderTimeout: timeout,
			MaxIdleConnsPerHost:   2,
			IdleConnTimeout:       90 * time.Second,
			ForceAttemptHTTP2:     true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
