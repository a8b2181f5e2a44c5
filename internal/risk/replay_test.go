package risk

import (
	"testing"

	"github.com/momoanalytics/momo"
)

// TestRwandaReplay replays the real Rwanda export in order, each message
// assessed against the history of those before it, and requires that
// fewer than half of the ordinary outgoing payments come out HIGH or
// above. The export holds no known fraud, so every HIGH is a false alarm;
// the share is logged.
func TestRwandaReplay(t *testing.T) {
	messages := readExport(t)
	r := Replay{Config: DefaultConfig(), Settings: Settings{Location: kigali}}
	var outgoing, high, fakes int
	for _, m := range messages {
		p := parser(t).Parse(m)
		if p.Outcome != momo.OutcomeParsed {
			t.Fatalf("the export should parse entirely; %s did not", m.Position)
		}
		tx := p.Transaction
		v := r.Next(Candidate{Message: m, Parse: p, CounterpartyKey: CounterpartyKeyOf([]byte("replay"), tx.Counterparty, tx.CounterpartyNumber)})
		if v.FakeSMS {
			fakes++
		}
		if tx.Direction != momo.Out || !tx.Kind.MovesMoney() || tx.Companion.IsSet() {
			continue
		}
		outgoing++
		if v.Level.AtLeast(High) {
			high++
		}
	}

	share := float64(high) / float64(outgoing)
	t.Logf("%d of %d ordinary outgoing payments HIGH or above (%.1f%%); %d of %d messages judged fake", high, outgoing, 100*share, fakes, len(messages))
	if outgoing < 1000 {
		t.Fatalf("only %d outgoing payments replayed", outgoing)
	}
	if share >= 0.5 {
		t.Errorf("%.1f%% of ordinary payments are HIGH or above; must be fewer than half", 100*share)
	}
}

// BenchmarkReplay assesses the real Rwanda export in order, as an import
// does; the messages are parsed once beforehand.
func BenchmarkReplay(b *testing.B) {
	var cands []Candidate
	for _, m := range readExport(b) {
		p := parser(b).Parse(m)
		tx := p.Transaction
		cands = append(cands, Candidate{Message: m, Parse: p, CounterpartyKey: CounterpartyKeyOf([]byte("replay"), tx.Counterparty, tx.CounterpartyNumber)})
	}
	b.ReportAllocs()
	for b.Loop() {
		r := Replay{Config: DefaultConfig(), Settings: Settings{Location: kigali}}
		for _, c := range cands {
			r.Next(c)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(cands)), "ns/msg")
}
