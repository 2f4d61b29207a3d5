package webhook

import (
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
