package webhook

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
)

// The guard is tested without sending a packet anywhere but 127.0.0.1: Control is called
// with the addresses a dialer would connect to, and the one real dial goes to a loopback
// listener that counts connections.

func TestGuardControl(t *testing.T) {
	tests := []struct {
		address      string
		refused      bool // without AllowPrivate
		refusedAllow bool // with AllowPrivate
	}{
		{"169.254.169.254:80", true, false},
		{"10.0.0.1:80", true, false},
		{"172.16.5.4:443", true, false},
		{"192.168.1.1:80", true, false},
		{"127.0.0.1:80", true, false},
		{"127.1.2.3:8080", true, false},
		{"100.64.0.1:80", true, false},
		{"[::1]:443", true, false},
		{"[::ffff:127.0.0.1]:80", true, false},
		{"[::ffff:169.254.169.254]:80", true, false},
		{"[::ffff:10.0.0.1]:80", true, false},
		{"[fe80::1%eth0]:80", true, false},
		{"[fe80::1]:80", true, false},
		{"[fc00::1]:80", true, false},
		{"[fd12:3456::1]:80", true, false},
		{"[64:ff9b::a00:1]:80", true, false},    // NAT64 of 10.0.0.1
		{"[2002:a9fe:a9fe::1]:80", true, false}, // 6to4 of 169.254.169.254
		{"[::127.0.0.1]:80", true, false},       // IPv4-compatible
		// Every form of IPv6 address that carries an internal IPv4 address is refused like
		// that address: IPv4-mapped (::ffff:0:0/96), IPv4-translated (::ffff:0:0:0/96, SIIT),
		// IPv4-compatible (::/96), NAT64 (64:ff9b::/96, local-use 64:ff9b:1::/48 in any of
		// its RFC 6052 layouts), 6to4 (2002::/16) and Teredo (2001::/32).
		{"[::ffff:0:127.0.0.1]:80", true, false},
		{"[::ffff:0:7f00:1]:80", true, false},
		{"[::ffff:0:10.0.0.1]:80", true, false},
		{"[::ffff:0:169.254.169.254]:80", true, false},
		{"[::ffff:0:192.168.0.1]:80", true, false},
		{"[::ffff:0:100.64.0.1]:80", true, false},
		{"[::ffff:0:0.0.0.0]:80", true, true},
		{"[::ffff:0:224.0.0.1]:80", true, true},
		{"[::ffff:0:93.184.216.34]:443", false, false}, // translated public address
		{"[::ffff:7f00:1]:80", true, false},            // mapped, hex spelling
		{"[::10.0.0.1]:80", true, false},
		{"[::169.254.169.254]:80", true, false},
		{"[::0.0.0.2]:80", true, true},         // ::0.0.0.1 would be ::1
		{"[::93.184.216.34]:443", true, false}, // compatible form is deprecated, refused whatever it embeds
		{"[64:ff9b::127.0.0.1]:80", true, false},
		{"[64:ff9b::a9fe:a9fe]:80", true, false},
		{"[64:ff9b::c0a8:101]:80", true, false},
		{"[64:ff9b::e000:1]:80", true, true}, // NAT64 of multicast 224.0.0.1
		{"[64:ff9b:1::a00:1]:80", true, false},
		{"[64:ff9b:1:a00:0:100:5db8:d822]:80", true, false}, // /48 layout of 10.0.0.1
		{"[64:ff9b:1::5db8:d822]:443", true, false},         // local-use NAT64: never public
		{"[2002:7f00:1::1]:80", true, false},
		{"[2002:a00:1::1]:80", true, false},
		{"[2002:c0a8:101::1]:80", true, false},
		{"[2002:e000:1::1]:80", true, true}, // 6to4 of multicast 224.0.0.1
		{"[2002:5db8:d822::1]:443", false, false},
		{"[2001:0:4136:e378:8000:63bf:3fff:fdd2]:80", true, false}, // Teredo
		{"[2001::a00:1]:80", true, false},
		{"[2001:0:a00:1::]:80", true, false},
		{"0.0.0.0:80", true, true},
		{"[::]:80", true, true},
		{"224.0.0.1:80", true, true},
		{"255.255.255.255:80", true, true},
		{"[ff02::1]:80", true, true},
		{"93.184.216.34:443", false, false},
		{"[2606:2800:220:1:248:1893:25c8:1946]:443", false, false},
		{"[64:ff9b::5db8:d822]:443", false, false}, // NAT64 of a public address
		{"not-an-address:80", true, true},
	}
	for _, tc := range tests {
		t.Run(tc.address, func(t *testing.T) {
			err := Guard{}.Control("tcp", tc.address, nil)
			if (err != nil) != tc.refused {
				t.Errorf("Control(%s) = %v, refused want %v", tc.address, err, tc.refused)
			}
			err = Guard{AllowPrivate: true}.Control("tcp", tc.address, nil)
			if (err != nil) != tc.refusedAllow {
				t.Errorf("AllowPrivate Control(%s) = %v, refused want %v", tc.address, err, tc.refusedAllow)
			}
		})
	}
	if err := (Guard{AllowPrivate: true}).Control("udp", "127.0.0.1:53", nil); err == nil {
		t.Error("udp allowed")
	}
}

// fakeResolver answers from a table and never touches the network.
type fakeResolver map[string][]string

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	ips, ok := f[host]
	if !ok {
		return nil, errors.New("no such host")
	}
	out := make([]netip.Addr, len(ips))
	for i, s := range ips {
		out[i] = netip.MustParseAddr(s)
	}
	return out, nil
}

func TestGuardCheckURL(t *testing.T) {
	res := fakeResolver{
		"hooks.example.com":  {"93.184.216.34"},
		"rebind.example":     {"93.184.216.34", "10.0.0.1"},
		"localhost":          {"127.0.0.1", "::1"},
		"metadata.internal":  {"169.254.169.254"},
		"translated.example": {"93.184.216.34", "::ffff:0:7f00:1"},
		"nat64.example":      {"64:ff9b::a00:1"},
	}
	tests := []struct {
		url          string
		ok, okAllow  bool
		wantInDetail string
	}{
		{"https://hooks.example.com/monograph", true, true, ""},
		{"http://hooks.example.com:8080/x?y=1", true, true, ""},
		{"http://169.254.169.254/", false, true, "link-local"},
		{"http://10.0.0.1/", false, true, "private"},
		{"http://[::ffff:127.0.0.1]/", false, true, "loopback"},
		{"http://[::ffff:0:127.0.0.1]/", false, true, "127.0.0.1, a loopback address"},
		{"http://[::ffff:0:a00:1]:8080/", false, true, "10.0.0.1, a private address"},
		{"http://[64:ff9b::a9fe:a9fe]/", false, true, "169.254.169.254, a link-local address"},
		{"http://[2002:a00:1::1]/", false, true, "10.0.0.1"},
		{"http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", false, true, "Teredo"},
		{"http://translated.example/", false, true, "127.0.0.1"},
		{"http://nat64.example/", false, true, "10.0.0.1"},
		{"http://[::ffff:0:0.0.0.0]/", false, false, "this network"},
		{"http://[::ffff:0:93.184.216.34]/", true, true, ""},
		{"http://localhost:9000/hook", false, true, "loopback"},
		{"http://rebind.example/", false, true, "10.0.0.1"},
		{"http://metadata.internal/", false, true, "169.254.169.254"},
		{"http://127.0.0.1:8080/", false, true, "loopback"},
		{"http://0.0.0.0/", false, false, "this network"},
		{"ftp://hooks.example.com/", false, false, "scheme"},
		{"hooks.example.com/x", false, false, "absolute"},
		{"/relative", false, false, "absolute"},
		{"https://user:pw@hooks.example.com/", false, false, "user name"},
		{"https://nowhere.invalid/", false, false, "does not resolve"},
		{"https://hooks.example.com:99999/", false, false, "port"},
		{"https://hooks.example.com/" + strings.Repeat("a", MaxURLLength), false, false, "at most"},
		{"", false, false, "required"},
		{" https://hooks.example.com/", false, false, "spaces"},
		{"https:///path", false, false, "host"},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			for _, allow := range []bool{false, true} {
				err := Guard{AllowPrivate: allow, Resolver: res}.CheckURL(context.Background(), tc.url)
				want := tc.ok
				if allow {
					want = tc.okAllow
				}
				if (err == nil) != want {
					t.Fatalf("allow=%v: CheckURL = %v, ok want %v", allow, err, want)
				}
				if err == nil {
					continue
				}
				var ce *cms.Error
				if !errors.As(err, &ce) || ce.Code != cms.CodeInvalid || len(ce.Fields) != 1 || ce.Fields[0].Field != "url" {
					t.Fatalf("allow=%v: error %v does not name the field url", allow, err)
				}
				if !allow && !strings.Contains(ce.Fields[0].Message, tc.wantInDetail) {
					t.Fatalf("message %q lacks %q", ce.Fields[0].Message, tc.wantInDetail)
				}
			}
		})
	}
}

// TestGuardRefusesBeforeConnecting dials a loopback listener through the delivery client,
// by IP and by a name that resolves to loopback: the guard must refuse before connect(), so
// the listener never sees a connection. With AllowPrivate the same request goes through.
func TestGuardRefusesBeforeConnecting(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var accepted atomic.Int32
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}), ConnState: func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			accepted.Add(1)
		}
	}}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	_, port, _ := net.SplitHostPort(ln.Addr().String())

	for _, target := range []string{"http://127.0.0.1:" + port + "/", "http://localhost:" + port + "/", "http://[::ffff:127.0.0.1]:" + port + "/", "http://[::ffff:0:127.0.0.1]:" + port + "/"} {
		resp, err := Guard{}.HTTPClient(2 * time.Second).Get(target)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("%s: request went through", target)
		}
		var de *DestinationError
		if !errors.As(err, &de) {
			t.Fatalf("%s: error %v is not a DestinationError", target, err)
		}
	}
	time.Sleep(50 * time.Millisecond)
	if n := accepted.Load(); n != 0 {
		t.Fatalf("the listener saw %d connections; the guard must refuse before connecting", n)
	}
	resp, err := Guard{AllowPrivate: true}.HTTPClient(2 * time.Second).Get("http://127.0.0.1:" + port + "/")
	if err != nil {
		t.Fatalf("allowed request: %v", err)
	}
	resp.Body.Close()
	if accepted.Load() != 1 {
		t.Fatalf("accepted %d, want 1", accepted.Load())
	}
}

func TestHTTPClientDoesNotFollowRedirects(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var hits atomic.Int32
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	resp, err := Guard{AllowPrivate: true}.HTTPClient(2 * time.Second).Get("http://" + ln.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || hits.Load() != 1 {
		t.Fatalf("status %d after %d requests; want the 302 itself", resp.StatusCode, hits.Load())
	}
}
