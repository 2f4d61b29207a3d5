package db

import (
	"context"
	"net"
	"syscall"
	"time"
)

// dialer returns pgx's dial function with dead-connection detection: TCP
// keepalive probes an idle connection every tcpTimeout/3 and gives up
// after three unanswered probes, and (on Linux) TCP_USER_TIMEOUT closes a
// connection whose sent data stays unacknowledged for tcpTimeout. Without
// them a connection across a network partition looks open for as long as
// the kernel's defaults (minutes to hours), and a statement on it waits
// for its context alone. tcpTimeout 0 leaves the system's defaults.
func dialer(connectTimeout, tcpTimeout time.Duration) func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{Timeout: connectTimeout, KeepAlive: 5 * time.Minute}
	if tcpTimeout > 0 {
		probe := max(tcpTimeout/3, time.Second)
		d.KeepAliveConfig = net.KeepAliveConfig{Enable: true, Idle: probe, Interval: probe, Count: 3}
		d.Control = func(network, _ string, rc syscall.RawConn) error {
			if network != "tcp" && network != "tcp4" && network != "tcp6" {
				return nil
			}
			var serr error
			if err := rc.Control(func(fd uintptr) { serr = setUserTimeout(fd, tcpTimeout) }); err != nil {
				return err
			}
			return serr
		}
	}
	return d.DialContext
}
