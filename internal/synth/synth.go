// Package synth writes realistic but invented mobile-money SMS histories:
// the shapes of MTN MoMo Rwanda's real messages, with made-up names,
// numbers, ids and amounts, and a balance that follows from one message to
// the next. It makes the repository's example export and the large inputs
// of benchmarks; the real corpus stays outside the repository.
package synth

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// SMS is one generated message as an SMS Backup & Restore record holds it.
type SMS struct {
	Address  string
	Body     string
	Received time.Time // when the phone got it, UTC
	Type     int       // 1 received, 2 sent
}

// History generates the SMS of one invented MTN MoMo Rwanda subscriber.
type History struct {
	pace    pace
	rng     *rand.Rand
	now     time.Time // local time of the next event, Africa/Kigali
	balance int64
	txid    int64
	out     []SMS
}

var kigali = mustZone("Africa/Kigali")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// pace is how busy a subscriber is: spending transactions a day, and the
// minutes between two of them.
type pace struct {
	spends     [2]int64
	gapMinutes [2]int64
}

var (
	ordinary = pace{spends: [2]int64{1, 4}, gapMinutes: [2]int64{40, 240}}
	// busy fits a hundred thousand messages in about twenty years, so that
	// a benchmark's history ends before today.
	busy = pace{spends: [2]int64{10, 16}, gapMinutes: [2]int64{5, 50}}
)

// Rwanda generates n messages of an ordinary subscriber (two or three a
// day) starting at start, the same ones for the same seed.
func Rwanda(seed uint64, start time.Time, n int) []SMS {
	return generate(ordinary, seed, start, n)
}

// RwandaBusy generates n messages of a subscriber who pays a dozen times a
// day, such as a small trader: many messages in few years.
func RwandaBusy(seed uint64, start time.Time, n int) []SMS {
	return generate(busy, seed, start, n)
}

func generate(p pace, seed uint64, start time.Time, n int) []SMS {
	h := &History{
		pace: p,
		rng:  rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		now:  start.In(kigali),
		txid: 30000000000 + int64(seed%1000)*1000000,
	}
	for len(h.out) < n {
		h.day()
	}
	return h.out[:n]
}

// day plays one day: income now and then, then the day's spending.
func (h *History) day() {
	h.now = time.Date(h.now.Year(), h.now.Month(), h.now.Day()+1, 6, 30, 0, 0, kigali)
	if h.now.Day() == 25 || h.balance < 3000 {
		h.deposit(roundTo(h.between(60000, 350000), 1000))
	}
	if h.chance(0.15) {
		h.received(roundTo(h.between(500, 40000), 100))
	}
	for range h.between(h.pace.spends[0], h.pace.spends[1]) {
		h.spend()
	}
	if h.chance(0.02) {
		h.otp()
	}
	if h.chance(0.05) {
		h.sent()
	}
}

// spend picks one outgoing transaction the balance can pay for.
func (h *History) spend() {
	h.tick(h.pace.gapMinutes[0], h.pace.gapMinutes[1])
	switch r := h.rng.Float64(); {
	case r < 0.45:
		h.momoPay(roundTo(h.between(200, 12000), 100))
	case r < 0.70:
		h.transfer(roundTo(h.between(500, 30000), 500))
	case r < 0.80:
		h.airtime(roundTo(h.between(100, 2000), 100))
	case r < 0.88:
		h.bundle()
	case r < 0.93:
		h.cashPower(roundTo(h.between(1000, 10000), 500))
	case r < 0.96:
		h.withdraw(roundTo(h.between(5000, 50000), 1000))
	case r < 0.98:
		h.merchantDebit(roundTo(h.between(1000, 25000), 100))
	default:
		h.failedBundle()
	}
}

func (h *History) between(lo, hi int64) int64 { return lo + h.rng.Int64N(hi-lo+1) }

func (h *History) chance(p float64) bool { return h.rng.Float64() < p }

// tick moves the clock on by a few minutes to a few hours.
func (h *History) tick(loMin, hiMin int64) {
	h.now = h.now.Add(time.Duration(h.between(loMin, hiMin))*time.Minute + time.Duration(h.between(0, 59))*time.Second)
}

func (h *History) nextID() int64 {
	h.txid += h.between(1000, 90000)
	return h.txid
}

// emit records a message the phone received a few seconds after the time
// written in it.
func (h *History) emit(body string) {
	delay := time.Duration(h.between(2, 40)) * time.Second
	h.out = append(h.out, SMS{Address: "M-Money", Body: body, Received: h.now.Add(delay).UTC(), Type: 1})
}

func (h *History) stamp() string { return h.now.Format("2006-01-02 15:04:05") }

func roundTo(v, step int64) int64 { return v / step * step }

// grouped writes 12000 as "12,000", as some MTN templates do.
func grouped(v int64) string {
	s := fmt.Sprint(v)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
