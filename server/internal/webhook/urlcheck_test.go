package webhook

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"
)

func TestBlockedAddr(t *testing.T) {
	for _, tc := range []struct {
		addr    string
		blocked bool
	}{
		{"127.0.0.1", true}, {"10.0.0.1", true}, {"172.16.5.4", true}, {"192.168.1.1", true},
		{"169.254.169.254", true}, {"100.64.0.1", true}, {"0.0.0.0", true}, {"::1", true},
		{"fe80::1", true}, {"fc00::1", true}, {"::ffff:127.0.0.1", true}, {"64:ff9b::a00:1", true},
		{"93.184.215.14", false}, {"2606:4700::1111", false}, {"8.8.8.8", false},
	} {
		if got := blockedAddr(netip.MustParseAddr(tc.addr)); got != tc.blocked {
			t.Errorf("%s: got blocked %v, want %v", tc.addr, got, tc.blocked)
		}
	}
}

// The default client checks the address it actually dials, whatever DNS
// said before, and never follows a redirect.
func TestDefaultClientRefusesInternalAddressesAndRedirects(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	}))
	defer srv.Close()
	_, err := newHTTPClient(2*time.Second, false).Get(srv.URL)
	if !errors.Is(err, errBlockedAddress) {
		t.Errorf("got %v, want the dial refused", err)
	}
	res, err := newHTTPClient(2*time.Second, true).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound {
		t.Errorf("got %d, want the 302 itself, not followed", res.StatusCode)
	}
}

// Hosts made of numbers are read the way inet_aton reads them and refused at
// save time when internal, without asking DNS.
func TestCheckAddressNumericHosts(t *testing.T) {
	noDNS := urlPolicy{lookup: func(_ context.Context, host string) ([]netip.Addr, error) {
		t.Errorf("%s: looked up in DNS, want it read as an address", host)
		return nil, errors.New("no DNS in this test")
	}}
	for _, tc := range []struct {
		url  string
		want error // nil: accepted
	}{
		{"http://2130706433/", errBlockedAddress},      // 127.0.0.1 as one decimal
		{"http://0x7f000001/", errBlockedAddress},      // one hex number
		{"http://0X7F000001/", errBlockedAddress},      // upper-case hex
		{"http://0177.0.0.1/", errBlockedAddress},      // octal first byte
		{"http://127.1/", errBlockedAddress},           // two parts: 8.24
		{"http://127.0.1/", errBlockedAddress},         // three parts: 8.8.16
		{"http://0/", errBlockedAddress},               // 0.0.0.0
		{"http://10.0x10.1/", errBlockedAddress},       // 10.16.0.1
		{"http://0xa9.0376.43518/", errBlockedAddress}, // 169.254.169.254, cloud metadata
		{"http://3232235777/", errBlockedAddress},      // 192.168.1.1
		{"http://127.0.0.1./", errBlockedAddress},      // trailing dot
		{"http://134744072/", errNumericHost},          // 8.8.8.8: write it so
		{"http://0x08.0x08.0x08.0x08/", errNumericHost},
		{"http://010.010.010.010/", errNumericHost}, // 8.8.8.8 in octal, not 10.10.10.10
		{"http://8.8.8.8/", nil},
		{"http://4294967296/", errNumericHost},   // past 32 bits
		{"http://256.1.1.1/", errNumericHost},    // a byte past 255
		{"http://1.2.3.4.5/", errNumericHost},    // five parts
		{"http://08.0.0.1/", errNumericHost},     // 8 is no octal digit
		{"http://0x/", errNumericHost},           // hex with no digits
		{"http://127.65536/", errBlockedAddress}, // 127.1.0.0, still 127/8
	} {
		t.Run(tc.url, func(t *testing.T) {
			u, problem := noDNS.checkSyntax(tc.url)
			if problem != "" {
				t.Fatalf("syntax: %s", problem)
			}
			if got := noDNS.checkAddress(context.Background(), u); !errors.Is(got, tc.want) && got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParseInetAton(t *testing.T) {
	for _, tc := range []struct {
		host    string
		addr    string // "" when not an address
		numeric bool
	}{
		{"2130706433", "127.0.0.1", true}, {"0x7f000001", "127.0.0.1", true}, {"0177.0.0.1", "127.0.0.1", true},
		{"127.1", "127.0.0.1", true}, {"1.2.3", "1.2.0.3", true}, {"0xff.0xffffff", "255.255.255.255", true},
		{"1.2.3.4", "1.2.3.4", true}, {"1.256", "1.0.1.0", true},
		{"example.com", "", false}, {"1.2.3.com", "", false}, {"0x1g", "", false}, {"1e5", "", false},
		{"1..2", "", false}, {"09", "", true}, {"0xffffffff1", "", true}, {"1.16777216", "", true},
	} {
		a, numeric, ok := parseInetAton(tc.host)
		got := ""
		if ok {
			got = a.String()
		}
		if got != tc.addr || numeric != tc.numeric {
			t.Errorf("%s: got %q numeric %v, want %q numeric %v", tc.host, got, numeric, tc.addr, tc.numeric)
		}
	}
}
