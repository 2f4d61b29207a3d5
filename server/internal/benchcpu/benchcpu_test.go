package benchcpu

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"testing"
)

// childEnv makes the test binary act as a child server: print its serving
// line and wait for SIGTERM.
const childEnv = "BENCHCPU_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		term := make(chan os.Signal, 1)
		signal.Notify(term, syscall.SIGTERM)
		fmt.Println("the test child is " + ServingLine + "http://127.0.0.1:1 (nothing listens)")
		<-term
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestProcessMeters(t *testing.T) {
	self := os.Getpid()
	rss, peak := Resident(self)
	if rss <= 0 || peak < rss {
		t.Errorf("Resident(self): got VmRSS %d, VmHWM %d; want 0 < VmRSS ≤ VmHWM", rss, peak)
	}
	// Spin until /proc counts a tick more (it counts in 10 ms ticks).
	cpu0 := ProcessCPU(self)
	for x := 0; ProcessCPU(self) == cpu0; x++ {
		_ = fmt.Sprint(x)
	}
	if got := ProcessCPU(self, 1<<30); got <= cpu0 {
		t.Errorf("ProcessCPU(self) after spinning: got %s, want more than %s (a missing pid counts 0)", got, cpu0)
	}
	if got := ProcessCPU(); got != 0 {
		t.Errorf("ProcessCPU(): got %s, want 0", got)
	}
}

func TestChildStartsAndStops(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	c := StartChild(t, cmd, false)
	if c.URL != "http://127.0.0.1:1" {
		t.Errorf("URL: got %q, want http://127.0.0.1:1", c.URL)
	}
	if rss, _ := Resident(c.PID()); rss <= 0 {
		t.Errorf("Resident(child): got %d, want > 0", rss)
	}
	sampled := SampleResident(c.PID(), 1e6)
	if most := sampled(); most <= 0 {
		t.Errorf("SampleResident(child): got %d, want > 0", most)
	}
	if _, ok := c.Metric("go_goroutines"); ok {
		t.Error("Metric on a child without metrics: got ok, want false")
	}
	c.Stop(t)
	if !c.cmd.ProcessState.Success() {
		t.Errorf("child exit: got %s, want success", c.cmd.ProcessState)
	}
}
