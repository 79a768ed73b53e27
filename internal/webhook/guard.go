package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
)

// MaxURLLength bounds a webhook URL.
const MaxURLLength = 2048

// Resolver looks host names up; *net.Resolver implements it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Guard decides which destinations webhooks may reach, so that a webhook cannot be used to
// reach the server's own network (SSRF): loopback, private (RFC 1918, fc00::/7),
// link-local (169.254/16 with the cloud metadata endpoints, fe80::/10), CGNAT 100.64/10 and
// other special-purpose ranges are refused unless AllowPrivate is set (tests, local
// development). Unspecified, multicast, broadcast and reserved addresses are refused always.
//
// An IPv6 address that carries an IPv4 address a host, translator or relay may deliver to
// is judged by that IPv4 address too: IPv4-mapped (::ffff:0:0/96), IPv4-translated
// (::ffff:0:0:0/96, SIIT), IPv4-compatible (::/96), NAT64 (64:ff9b::/96) and 6to4
// (2002::/16). Forms whose embedded address cannot be told reliably are refused whole unless
// AllowPrivate: local-use NAT64 (64:ff9b:1::/48, whose layout depends on the operator's
// prefix length) and Teredo (2001::/32, which carries two addresses, one obfuscated).
//
// The check runs twice: at registration on every address the host resolves to (CheckURL),
// and at connect time on the very address being dialled (Control), so a name that resolves
// elsewhere later (DNS rebinding) still cannot reach an internal address.
type Guard struct {
	AllowPrivate bool
	// Resolver resolves names at registration; nil means net.DefaultResolver.
	Resolver Resolver
}

// DestinationError says why an address is refused.
type DestinationError struct {
	Addr   netip.Addr
	Reason string
}

// Error implements error.
func (e *DestinationError) Error() string {
	return "webhook destination refused: " + e.Addr.String() + " is " + e.Reason
}

type blockedPrefix struct {
	prefix netip.Prefix
	reason string
}

var (
	alwaysBlocked = []blockedPrefix{
		{netip.MustParsePrefix("0.0.0.0/8"), "a \"this network\" address"},
		{netip.MustParsePrefix("240.0.0.0/4"), "a reserved address"}, // includes 255.255.255.255
		{netip.MustParsePrefix("224.0.0.0/4"), "a multicast address"},
		{netip.MustParsePrefix("ff00::/8"), "a multicast address"},
		{netip.MustParsePrefix("::/128"), "the unspecified address"},
	}
	privateBlocked = []blockedPrefix{
		{netip.MustParsePrefix("127.0.0.0/8"), "a loopback address"},
		{netip.MustParsePrefix("::1/128"), "a loopback address"},
		{netip.MustParsePrefix("10.0.0.0/8"), "a private address"},
		{netip.MustParsePrefix("172.16.0.0/12"), "a private address"},
		{netip.MustParsePrefix("192.168.0.0/16"), "a private address"},
		{netip.MustParsePrefix("fc00::/7"), "a private (unique local) address"},
		{netip.MustParsePrefix("169.254.0.0/16"), "a link-local address"},
		{netip.MustParsePrefix("fe80::/10"), "a link-local address"},
		{netip.MustParsePrefix("fec0::/10"), "a site-local address"},
		{netip.MustParsePrefix("100.64.0.0/10"), "a shared (CGNAT) address"},
		{netip.MustParsePrefix("192.0.0.0/24"), "a special-purpose address"},
		{netip.MustParsePrefix("198.18.0.0/15"), "a benchmarking address"},
		{netip.MustParsePrefix("::/96"), "an IPv4-compatible address"},
		{netip.MustParsePrefix("64:ff9b:1::/48"), "a local-use NAT64 address"},
		{netip.MustParsePrefix("2001::/32"), "a Teredo address"},
	}
	// IPv6 forms carrying an IPv4 address at a fixed place (first byte, form name).
	embedding = []struct {
		prefix netip.Prefix
		at     int
		form   string
	}{
		{netip.MustParsePrefix("::ffff:0:0:0/96"), 12, "an IPv4-translated address"},
		{netip.MustParsePrefix("::/96"), 12, "an IPv4-compatible address"},
		{netip.MustParsePrefix("64:ff9b::/96"), 12, "a NAT64 address"},
		{netip.MustParsePrefix("2002::/16"), 2, "a 6to4 address"},
	}
	// ::/127 (the unspecified address and loopback) lies inside ::/96 but embeds nothing.
	notCompatible = netip.MustParsePrefix("::/127")
)

// CheckAddr returns nil if a webhook may connect to a, or a *DestinationError.
func (g Guard) CheckAddr(a netip.Addr) error {
	if !a.IsValid() {
		return errors.New("webhook destination refused: not an IP address")
	}
	a = a.Unmap().WithZone("") // ::ffff:127.0.0.1 is 127.0.0.1
	if reason, blocked := firstMatch(alwaysBlocked, a); blocked {
		return &DestinationError{Addr: a, Reason: reason}
	}
	if a.IsMulticast() || a.IsUnspecified() {
		return &DestinationError{Addr: a, Reason: "not a unicast address"}
	}
	// Before AllowPrivate: an embedded multicast or "this network" address is refused always.
	if inner, form, ok := embeddedIPv4(a); ok {
		if err := g.CheckAddr(inner); err != nil {
			reason := "refused"
			var de *DestinationError
			if errors.As(err, &de) {
				reason = de.Reason
			}
			return &DestinationError{Addr: a, Reason: form + " embedding " + inner.String() + ", " + reason}
		}
	}
	if g.AllowPrivate {
		return nil
	}
	if reason, blocked := firstMatch(privateBlocked, a); blocked {
		return &DestinationError{Addr: a, Reason: reason}
	}
	if a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() {
		return &DestinationError{Addr: a, Reason: "an internal address"}
	}
	return nil
}

func firstMatch(list []blockedPrefix, a netip.Addr) (string, bool) {
	for _, b := range list {
		if b.prefix.Contains(a) {
			return b.reason, true
		}
	}
	return "", false
}

// embeddedIPv4 returns the IPv4 address an IPv6 address carries at a fixed place, and the
// name of its form.
func embeddedIPv4(a netip.Addr) (netip.Addr, string, bool) {
	if !a.Is6() || notCompatible.Contains(a) {
		return netip.Addr{}, "", false
	}
	b := a.As16()
	for _, e := range embedding {
		if e.prefix.Contains(a) {
			return netip.AddrFrom4([4]byte(b[e.at : e.at+4])), e.form, true
		}
	}
	return netip.Addr{}, "", false
}

// Control is a net.Dialer Control function: it runs after the name was resolved and
// before the connection is made, for every address dialled, and refuses what CheckAddr
// refuses, so nothing is ever sent to a refused address.
func (g Guard) Control(network, address string, _ syscall.RawConn) error {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return fmt.Errorf("webhook destination refused: network %s", network)
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("webhook destination refused: cannot parse %q", address)
	}
	return g.CheckAddr(ap.Addr())
}

// CheckURL validates a webhook URL for registration: absolute http or https, at most
// MaxURLLength characters, no user info, and a host whose every address passes CheckAddr.
// It returns a cms.CodeInvalid error naming the field "url".
func (g Guard) CheckURL(ctx context.Context, raw string) error {
	invalid := func(msg string) error { return cms.InvalidField("url", msg) }
	switch {
	case raw == "":
		return invalid("required")
	case len(raw) > MaxURLLength:
		return invalid(fmt.Sprintf("at most %d characters", MaxURLLength))
	case strings.TrimSpace(raw) != raw || strings.ContainsAny(raw, " \t\r\n\x00"):
		return invalid("must not contain spaces or control characters")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || !u.IsAbs() {
		return invalid("an absolute http or https URL, e.g. https://example.com/hooks/monograph")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return invalid("the scheme must be https or http")
	}
	if u.User != nil {
		return invalid("must not contain a user name or password; authenticate deliveries by their signature")
	}
	host := u.Hostname()
	if host == "" {
		return invalid("needs a host")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return invalid("the port must be from 1 to 65535")
		}
	}
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		r := g.Resolver
		if r == nil {
			r = net.DefaultResolver
		}
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		addrs, err = r.LookupNetIP(rctx, "ip", host)
		cancel()
		if err != nil || len(addrs) == 0 {
			return invalid("the host name " + host + " does not resolve")
		}
	}
	for _, a := range addrs {
		if err := g.CheckAddr(a); err != nil {
			var de *DestinationError
			msg := "destination not allowed"
			if errors.As(err, &de) {
				msg = "destination not allowed: " + host + " is or resolves to " + de.Addr.String() + ", " + de.Reason
			}
			if !g.AllowPrivate {
				msg += " (only public addresses may receive webhooks)"
			}
			return invalid(msg)
		}
	}
	return nil
}

// HTTPClient returns the client deliveries are sent with: every dial is checked by
// Control, no proxy from the environment (it would dial the proxy, not the destination),
// redirects are not followed (the 3xx answer is returned, and counts as a failure), and
// each request is bounded by timeout.
func (g Guard) HTTPClient(timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: min(timeout, 5*time.Second), KeepAlive: 30 * time.Second, Control: g.Control}
	tr := &http.Transport{
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    min(timeout, 5*time.Second),
		ResponseHeaderTimeout:  timeout,
		ExpectContinueTimeout:  time.Second,
		MaxIdleConns:           32,
		MaxIdleConnsPerHost:    2,
		IdleConnTimeout:        30 * time.Second,
		MaxResponseHeaderBytes: 16 << 10,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
