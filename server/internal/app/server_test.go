package app_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/app"
	"github.com/skillgate/skillgate/server/internal/logx"
	"github.com/skillgate/skillgate/server/internal/testwait"
)

func TestGracefulShutdownDrainsInFlightRequests(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	release := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		_, _ = io.WriteString(w, "finished")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- app.Serve(ctx, ln, app.NewServer(h, logx.Discard()), 10*time.Second, logx.Discard()) }()

	type result struct {
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		res, err := http.Get("http://" + addr + "/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		got <- result{string(b), err}
	}()
	<-started
	cancel() // as SIGTERM does

	// New connections are refused once shutdown has begun.
	testwait.Until(t, "the listener to refuse connections after shutdown began", func() bool {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return true
		}
		conn.Close()
		return false
	})
	close(release)
	r := <-got
	if r.err != nil || r.body != "finished" {
		t.Errorf("got %q, %v; want the in-flight request to finish", r.body, r.err)
	}
	if err := <-served; err != nil {
		t.Errorf("got serve error %v, want a clean shutdown", err)
	}
}
