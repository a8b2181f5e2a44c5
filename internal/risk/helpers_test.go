package risk

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/smsparse"
)

// day is the reference day of the tests, midnight in Kigali.
var day = time.Date(2025, 6, 10, 0, 0, 0, 0, kigali)

// clock returns a time on the reference day, Kigali time.
func clock(h, m, s int) time.Time {
	return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second)
}

// rwMessage renders a genuine MTN Rwanda message of kind k and the
// candidate that a correct parser and store would make of it: the SMS
// arrived 8 seconds after the time written in it, from M-Money.
func rwMessage(k msgKind, amount, balance int64, at time.Time, to party) Candidate {
	w := rwanda()
	f := msgFields{amount: amount, balance: balance, name: to.name, number: to.number, id: "41207755310", at: at}
	if k == msgSent {
		f.fee = 0
	}
	body, tx := w.render(w, k, f)
	return Candidate{
		Message:         momo.Message{Body: body, Sender: "M-Money", ReceivedAt: at.Add(8 * time.Second).UTC(), Source: momo.SourceBackup},
		Parse:           parsed(tx),
		CounterpartyKey: keyOf(to),
	}
}

func keyOf(p party) string { return CounterpartyKeyOf([]byte("test key"), p.name, p.number) }

var (
	eric  = party{"Eric Sample", "250788000101"}
	grace = party{"Grace Demo", "250788000102"}
	shop  = party{"Corner Shop Demo", "10100"}
)

// transfer is an ordinary *165* transfer to Eric.
func transfer(amount, balance int64, at time.Time) Candidate {
	return rwMessage(msgSent, amount, balance, at, eric)
}

// spends builds a history of earlier outgoing amounts of one kind, an
// hour apart, ending two days before the reference day.
func spends(kind momo.Kind, amounts ...int64) History {
	var h History
	at := day.Add(-48 * time.Hour).Add(-time.Duration(len(amounts)) * time.Hour)
	for i, a := range amounts {
		h.Outgoing = append(h.Outgoing, Spend{At: at.Add(time.Duration(i) * time.Hour), Amount: a, Currency: "RWF", Kind: kind, Counterparty: keyOf(grace)})
	}
	h.OutgoingCount = len(amounts)
	h.Paid = map[string]int{keyOf(grace): len(amounts)}
	return h
}

func fired(v Verdict, r Rule) bool {
	return slices.ContainsFunc(v.Signals, func(s Signal) bool { return s.Rule == r })
}

func rulesOf(signals []Signal) []Rule {
	var out []Rule
	for _, s := range signals {
		out = append(out, s.Rule)
	}
	return out
}

var (
	bookOnce sync.Once
	book     *smsparse.Book
)

// parser returns the real built-in templates, so that fake-SMS tests run
// on what the parser truly makes of each text.
func parser(t testing.TB) *smsparse.Book {
	t.Helper()
	bookOnce.Do(func() {
		b, err := smsparse.Builtin()
		if err != nil {
			panic(err)
		}
		book = b
	})
	return book
}

// settings are a Kigali subscriber's, with no lists and no budget.
func settings() Settings { return Settings{Location: kigali} }
