package benchcpu

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Resident is process pid's resident set now (VmRSS) and its peak so far
// (VmHWM), in bytes, from /proc/<pid>/status; 0 when unknown.
func Resident(pid int) (rss, peak int64) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		for name, v := range map[string]*int64{"VmRSS:": &rss, "VmHWM:": &peak} {
			if rest, ok := strings.CutPrefix(sc.Text(), name); ok {
				if f := strings.Fields(rest); len(f) > 0 {
					kb, _ := strconv.ParseInt(f[0], 10, 64)
					*v = kb << 10
				}
			}
		}
	}
	return rss, peak
}

// SampleResident reads pid's VmRSS every interval until the returned func
// is called, which reports the largest seen (a peak between samples is
// missed; VmHWM has it, but from the process's start).
func SampleResident(pid int, every time.Duration) func() int64 {
	var most atomic.Int64
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			if v, _ := Resident(pid); v > most.Load() {
				most.Store(v)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 {
		stop()
		<-done
		return most.Load()
	}
}
