package db

import (
	"context"
	"net"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestDialerDetectsDeadConnections(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cases := []struct {
		name                   string
		tcpTimeout             time.Duration
		userTimeoutMS, idleSec int
	}{
		{"9s: unacknowledged data for 9 s, three probes 3 s apart", 9 * time.Second, 9000, 3},
		{"off: the system's defaults", 0, 0, -1},
	}
	for _, tc := range cases {
		c, err := dialer(time.Second, tc.tcpTimeout)(context.Background(), "tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		rc, err := c.(*net.TCPConn).SyscallConn()
		if err != nil {
			t.Fatal(err)
		}
		var user, idle, count, keepalive int
		_ = rc.Control(func(fd uintptr) {
			user, _ = unix.GetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_USER_TIMEOUT)
			idle, _ = unix.GetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_KEEPIDLE)
			count, _ = unix.GetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_KEEPCNT)
			keepalive, _ = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_KEEPALIVE)
		})
		c.Close()
		if user != tc.userTimeoutMS || keepalive != 1 {
			t.Errorf("%s: got TCP_USER_TIMEOUT %d ms, SO_KEEPALIVE %d; want %d ms, 1", tc.name, user, keepalive, tc.userTimeoutMS)
		}
		if tc.idleSec >= 0 && (idle != tc.idleSec || count != 3) {
			t.Errorf("%s: got keepalive idle %d s, %d probes; want %d s, 3", tc.name, idle, count, tc.idleSec)
		}
	}
}
