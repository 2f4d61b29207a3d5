package readbench

import (
	"os"
	"testing"

	"github.com/skillgate/skillgate/server/internal/benchcpu"
)

func TestMain(m *testing.M) {
	code := m.Run()
	benchcpu.RemoveBuilt() // the server binary BenchmarkReads built, if any
	os.Exit(code)
}
