// Package corpus finds and reads the labelled SMS corpus that lives beside
// the repository (../shared/corpus), for tests and benchmarks only. The
// corpus is real data from public sources and is never copied into the
// repository.
package corpus

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// Case is one labelled message.
type Case struct {
	Body       string         `json:"body"`
	Sender     *string        `json:"sender"`
	ReceivedAt *string        `json:"received_at"`
	Operator   string         `json:"operator"`
	Country    string         `json:"country"`
	Template   string         `json:"template"`
	Expect     map[string]any `json:"expect"`
	Line       int            `json:"-"`
}

// Dir returns the corpus folder: $MOMO_CORPUS, or shared/corpus found by
// walking up from the working directory. Without it the test is skipped on
// a developer's machine and fails in CI, where the corpus is always laid
// beside the clone.
func Dir(tb testing.TB) string {
	tb.Helper()
	if dir := os.Getenv("MOMO_CORPUS"); dir != "" {
		return dir
	}
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatalf("working directory: %v", err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		candidate := filepath.Join(dir, "shared", "corpus")
		if _, err := os.Stat(filepath.Join(candidate, "labelled.jsonl")); err == nil {
			return candidate
		}
		if filepath.Dir(dir) == dir {
			break
		}
	}
	if os.Getenv("CI") != "" {
		tb.Fatal("the SMS corpus (../shared/corpus) is missing; CI must have it")
	}
	tb.Skip("no SMS corpus beside the repository; set MOMO_CORPUS to run this test")
	return ""
}

// Path returns the path of a corpus file.
func Path(tb testing.TB, name string) string {
	tb.Helper()
	return filepath.Join(Dir(tb), name)
}

// Load reads a labelled JSON-lines file of the corpus.
func Load(tb testing.TB, name string) []Case {
	tb.Helper()
	f, err := os.Open(Path(tb, name))
	if err != nil {
		tb.Fatalf("open corpus: %v", err)
	}
	defer f.Close()

	var cases []Case
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var c Case
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			tb.Fatalf("%s line %d: %v", name, line, err)
		}
		c.Line = line
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("read %s: %v", name, err)
	}
	if len(cases) == 0 {
		tb.Fatalf("%s holds no cases", name)
	}
	return cases
}
