package risk

import (
	"strings"
	"time"

	"github.com/momoanalytics/momo"
)

// The injected scenarios and the severity an analyst would give them. A
// fake SMS is CRITICAL: it exists only to make the victim pay, now. Money
// already going to a fraudster (blocked, emptied, sent "back") is HIGH; a
// blown budget is MEDIUM.
var scenarios = []struct {
	name     string
	severity Level
	fake     bool
	times    int
	ghana    bool // whether it applies to the Ghana shapes too
}{
	{"night_large_new", Critical, false, 3, true},
	{"burst", High, false, 2, true},
	{"budget_blowout", Medium, false, 2, true},
	{"blocked", High, false, 2, true},
	{"drain", High, false, 3, true},
	{"fake_phone_sender", Critical, true, 2, true},
	{"fake_balance", Critical, true, 2, true},
	{"fake_bad_id", Critical, true, 2, true},
	{"fake_reused_id", Critical, true, 2, true},
	{"fake_delayed", Critical, true, 2, false}, // Ghana's receipts state no time
	{"fake_near_miss", Critical, true, 2, true},
	{"fake_money_back", Critical, true, 2, true},
	{"fake_pasted", Critical, true, 2, true},
}

// warmUp days of ordinary life come before any injection, so the
// baseline has something to stand on.
const warmUp = 20

// plan gives each injected scenario its own day, chosen at random after
// the warm-up.
func (s *sim) plan() map[int][]string {
	days := s.rng.Perm(simDays - warmUp)
	out := map[int][]string{}
	next := 0
	for _, sc := range scenarios {
		if (s.w.country == "GH" && !sc.ghana) || (sc.name == "budget_blowout" && s.p.budget == 0) {
			continue
		}
		for range sc.times {
			d := warmUp + days[next%len(days)]
			out[d] = append(out[d], sc.name)
			next++
		}
	}
	return out
}

// injected plans the day's injected scenarios.
func (s *sim) injected(d int, day time.Time) []step {
	var steps []step
	for _, name := range s.schedule[d] {
		steps = append(steps, s.scenario(name, day)...)
	}
	return steps
}

func labelOf(name string) Label {
	for _, sc := range scenarios {
		if sc.name == name {
			return Label{Scenario: name, Severity: sc.severity, Fake: sc.fake}
		}
	}
	return Label{Scenario: name, Severity: High}
}

// scenario returns the steps of one injection.
func (s *sim) scenario(name string, day time.Time) []step {
	label := labelOf(name)
	switch name {
	case "night_large_new":
		at := s.at(day, 1, 4)
		return []step{s.fundLarge(at.Add(-75 * time.Minute)), {at, func() { s.theft(0.60, 0.95, label) }}}
	case "drain":
		at := s.at(day, 9, 18)
		return []step{s.fund(at.Add(-2 * time.Hour)), {at, func() { s.theft(0.92, 0.99, label) }}}
	case "burst":
		return s.burst(day, label)
	case "budget_blowout":
		at := s.at(day, 11, 19)
		return []step{s.fund(at.Add(-2 * time.Hour)), {at, func() { s.blowout(label) }}}
	case "blocked":
		at := s.at(day, 9, 20)
		return []step{{at, func() {
			s.send(s.roundDown(s.balance*s.between(5, 30)/100, s.p.step*10), s.blocked, msgSent, label)
		}}}
	}
	return s.fakeSteps(name, day, label)
}

// fund makes sure the wallet holds a stash before a theft: thieves strike
// where there is money, and an empty wallet tests nothing.
func (s *sim) fund(at time.Time) step {
	return step{at, func() {
		target := s.money(s.p.stash)
		if s.balance < target {
			s.receive(s.roundDown(target-s.balance, s.p.step*10), s.family[1])
		}
	}}
}

// fundLarge makes the wallet hold enough for a theft that is large for
// the currency, as the scenario's name says.
func (s *sim) fundLarge(at time.Time) step {
	return step{at, func() {
		large := defaultCurrencies()[s.w.currency].Large
		target := s.between(large*2, large*3)
		if s.balance < target {
			s.receive(s.roundDown(target-s.balance, s.p.step*10), s.family[1])
		}
	}}
}

// theft sends a share of the balance to a fraudster's account.
func (s *sim) theft(lo, hi float64, label Label) {
	share := lo + (hi-lo)*s.rng.Float64()
	amount := s.roundDown(int64(float64(s.balance)*share), s.p.step*100)
	s.send(amount, s.crook(), msgSent, label)
}

// burst is a taken-over wallet emptied in several transfers within the
// hour, each to a new account.
func (s *sim) burst(day time.Time, label Label) []step {
	at := s.at(day, 10, 16)
	steps := []step{s.fund(at.Add(-3 * time.Hour))}
	for range 4 {
		at = at.Add(time.Duration(s.between(6*60, 15*60)) * time.Second)
		steps = append(steps, step{at, func() {
			s.send(s.roundDown(s.balance*s.between(15, 25)/100, s.p.step*10), s.crook(), msgSent, label)
		}})
	}
	return steps
}

// blowout is one payment of two to four times the daily budget at a shop
// the subscriber never uses.
func (s *sim) blowout(label Label) {
	budget := s.w.currency.MinorOf(s.p.budget)
	amount := s.roundDown(budget*s.between(20, 40)/10, s.p.step)
	s.send(amount, party{"Electronics Demo Store", "99001"}, msgPayment, label)
}

var crookNames = []string{"Jean Fictif", "Paul Bogus", "Marie Invented", "Kwame Fake", "Esi Invented", "Tom Phony", "Ruth Madeup", "Ali Sham"}

// crook returns a fraudster's account that has never been used before.
func (s *sim) crook() party {
	s.crooks++
	prefix := "2507900"
	if s.w.country == "GH" {
		prefix = "2335500"
	}
	return party{crookNames[s.crooks%len(crookNames)], prefix + pad(900+s.crooks, 5)}
}

// fakeSteps plays a fake "you have received" SMS and, half of the time,
// the victim sending the money "back" to the fraudster within the next
// hour and a half.
func (s *sim) fakeSteps(name string, day time.Time, label Label) []step {
	at := s.at(day, 8, 20)
	crook := s.crook()
	claimed := new(int64)
	steps := []step{{at, func() { *claimed = s.fake(name, crook, label) }}}
	if s.chance(0.5) {
		back := at.Add(time.Duration(s.between(20, 90)) * time.Minute)
		steps = append(steps, step{back, func() {
			amount := min(*claimed, s.roundDown(s.balance*9/10, s.p.step*10))
			s.send(amount, crook, msgSent, Label{Scenario: "send_back", Severity: High})
		}})
	}
	return steps
}

// fake writes one fake SMS and returns the amount it claims. The wallet's
// real balance does not change.
func (s *sim) fake(name string, crook party, label Label) int64 {
	amount := s.roundDown(s.money(s.p.stash)/5, s.p.step*100)
	f := msgFields{amount: amount, balance: s.fabricated(amount), name: crook.name, number: crook.number, id: s.id(), at: s.now.Add(-time.Duration(s.between(5, 90)) * time.Second)}
	m := momo.Message{Sender: s.w.sender, ReceivedAt: s.now.UTC(), Source: momo.SourceBackup}

	switch name {
	case "fake_phone_sender":
		m.Sender = "+" + crook.number
	case "fake_bad_id":
		f.id = s.badID(f.id)
		f.balance = s.maybeConsistent(f)
	case "fake_reused_id":
		if s.lastReceived != "" {
			f.id = s.lastReceived
		}
		f.balance = s.balance + amount
	case "fake_delayed":
		f.at = s.now.Add(-time.Duration(s.between(6, 30)) * time.Hour)
		f.balance = s.balance + amount
	case "fake_money_back":
		f.note = pick(s, moneyBackNotes)
		f.balance = s.balance + amount
		if s.chance(0.5) {
			m.Sender = "+" + crook.number
		}
	case "fake_pasted":
		m = momo.Message{Source: momo.SourceTelegram}
	}

	body, tx := s.w.render(s.w, msgReceived, f)
	m.Body = body
	p := parsed(tx)
	if name == "fake_near_miss" {
		m.Body = s.nearMiss(body)
		p = momo.Parse{Outcome: momo.OutcomeUnrecognized, Operator: s.w.operator}
		if s.chance(0.5) {
			m = momo.Message{Body: m.Body, Source: momo.SourceTelegram}
		}
	}
	s.emit(m, p, s.key(crook), label)
	return amount
}

// fabricated is the balance a fraudster invents: the amount and a bit,
// never what the wallet would really show.
func (s *sim) fabricated(amount int64) int64 {
	b := amount + s.roundDown(s.between(0, amount), s.p.step)
	if b == s.balance+amount {
		b += s.p.step
	}
	return b
}

// maybeConsistent gives half of the bad-id fakes a balance that does
// follow (a fraudster who saw the victim's last SMS), so the id alone has
// to give them away.
func (s *sim) maybeConsistent(f msgFields) int64 {
	if s.chance(0.5) {
		return s.balance + f.amount
	}
	return f.balance
}

// badID spoils a genuine-looking id: a digit short, or letters in front.
func (s *sim) badID(id string) string {
	if s.chance(0.5) {
		return id[1:]
	}
	return "FT" + id[2:]
}

var moneyBackNotes = []string{
	"Sorry I sent it by mistake, please send it back to 0788000912",
	"Wrong number. Kindly return the money, call me on 0788000913",
	"Mistakenly sent, pls reverse it back to me",
}

// nearMiss alters a genuine shape the way hand-typed fakes do: a
// misspelling or a reworded phrase the operator never uses.
func (s *sim) nearMiss(body string) string {
	edits := [][2]string{
		{"You have received", "You have recieved"},
		{"Your new balance:", "Your new balance is "},
		{"on your mobile money account", "on your Mobile Money wallet"},
		{"Payment received for", "Payment recieved for"},
		{"Transaction ID:", "Transaction No:"},
	}
	start := s.rng.IntN(len(edits))
	for i := range edits {
		e := edits[(start+i)%len(edits)]
		if strings.Contains(body, e[0]) {
			return strings.Replace(body, e[0], e[1], 1)
		}
	}
	return body
}
