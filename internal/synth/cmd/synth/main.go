// Command synth writes a made-up SMS Backup & Restore export of a busy
// Rwandan MTN MoMo user, for benchmarks: the imports and the dashboard are
// measured on 100,000 messages that no real person sent.
//
//	go run ./internal/synth/cmd/synth -n 100000 > /tmp/busy.xml
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/momoanalytics/momo/internal/synth"
)

func main() {
	n := flag.Int("n", 100_000, "how many messages")
	seed := flag.Uint64("seed", 11, "the generator's seed: the same seed writes the same file")
	flag.Parse()

	if err := write(*n, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "synth:", err)
		os.Exit(1)
	}
}

func write(n int, seed uint64) error {
	if n < 1 {
		return fmt.Errorf("-n must be at least 1, not %d", n)
	}
	out := bufio.NewWriter(os.Stdout)
	start := time.Date(2003, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := synth.WriteBackup(out, synth.RwandaBusy(seed, start, n)); err != nil {
		return err
	}
	return out.Flush()
}
