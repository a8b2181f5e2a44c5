package risk

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/momoanalytics/momo"
)

// Event is one message of a synthetic history and what it really was.
type Event struct {
	Candidate
	Label Label
}

// Label is the truth about an event.
type Label struct {
	Scenario string // "ordinary", or the injected pattern
	// Severity is how alarming the event should be: LOW for ordinary
	// messages, the level an analyst would give an injected one.
	Severity Level
	Fake     bool // an SMS the operator never sent
}

// SimSubscriber is one invented subscriber: settings and messages in the
// order they reached us.
type SimSubscriber struct {
	Name     string
	Currency momo.Currency
	Settings Settings
	Events   []Event
}

// Simulate invents the histories of four subscribers (two in Rwanda, two
// in Ghana) over simDays days, with frauds and fake SMS injected among
// ordinary life. The same seed gives the same histories.
func Simulate(seed uint64) []SimSubscriber {
	var out []SimSubscriber
	for i, p := range personas() {
		s := newSim(seed, uint64(i), p)
		s.run()
		out = append(out, s.subscriber())
	}
	return out
}

// simDays is the length of each history; simStart its first day.
const simDays = 150

var simStart = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)

// persona is one subscriber's way of life. Amounts are in major units.
type persona struct {
	name   string
	wallet func() *wallet
	step   int64 // amounts are multiples of this many minor units

	salaryDay  int // day of month of the salary; 0 for none
	salary     [2]int64
	weekly     [2]int64 // an allowance every seventh day; zero for none
	income     float64  // daily chance of money from someone
	incomeAmt  [2]int64
	payments   [2]int // payments a day
	paymentAmt [2]int64
	airtime    float64
	airtimeAmt [2]int64
	transfer   float64
	transferTo [2]int64
	withdraw   float64
	withdrawTo [2]int64
	rent       int64 // paid to the landlord on rentDay; 0 for none
	rentDay    int
	budget     int64   // daily budget; 0 for none
	night      float64 // share of ordinary spending done late at night
	stash      [2]int64
}

func personas() []persona {
	return []persona{
		{
			name: "rw-salaried", wallet: rwanda, step: 100,
			salaryDay: 28, salary: [2]int64{300_000, 420_000},
			income: 0.1, incomeAmt: [2]int64{2_000, 30_000},
			payments: [2]int{1, 3}, paymentAmt: [2]int64{300, 9_000},
			airtime: 0.35, airtimeAmt: [2]int64{200, 2_000},
			transfer: 0.25, transferTo: [2]int64{2_000, 40_000},
			withdraw: 0.06, withdrawTo: [2]int64{5_000, 40_000},
			rent: 120_000, rentDay: 1, budget: 80_000, night: 0.08,
			stash: [2]int64{150_000, 450_000},
		},
		{
			name: "rw-trader", wallet: rwanda, step: 100,
			income: 0.9, incomeAmt: [2]int64{1_000, 40_000},
			payments: [2]int{1, 4}, paymentAmt: [2]int64{500, 15_000},
			airtime: 0.4, airtimeAmt: [2]int64{200, 3_000},
			transfer: 0.5, transferTo: [2]int64{20_000, 200_000},
			withdraw: 0.1, withdrawTo: [2]int64{10_000, 100_000},
			night: 0.15, stash: [2]int64{300_000, 900_000},
		},
		{
			name: "gh-worker", wallet: ghana, step: 50,
			salaryDay: 26, salary: [2]int64{2_800, 3_600},
			income: 0.08, incomeAmt: [2]int64{20, 300},
			payments: [2]int{1, 3}, paymentAmt: [2]int64{3, 80},
			airtime: 0.3, airtimeAmt: [2]int64{2, 20},
			transfer: 0.2, transferTo: [2]int64{30, 400},
			withdraw: 0.05, withdrawTo: [2]int64{50, 400},
			rent: 900, rentDay: 2, budget: 400, night: 0.06,
			stash: [2]int64{1_000, 3_000},
		},
		{
			name: "gh-student", wallet: ghana, step: 50,
			weekly:   [2]int64{150, 300},
			payments: [2]int{1, 2}, paymentAmt: [2]int64{2, 35},
			airtime: 0.4, airtimeAmt: [2]int64{1, 10},
			transfer: 0.1, transferTo: [2]int64{10, 80},
			budget: 100, night: 0.2, stash: [2]int64{150, 500},
		},
	}
}

// party is someone money goes to or comes from.
type party struct{ name, number string }

// sim plays one persona's history.
type sim struct {
	rng     *rand.Rand
	p       persona
	w       *wallet
	now     time.Time // local time of the step being played
	balance int64
	nextID  int64
	events  []Event

	family, merchants, agents, suppliers, customers []party
	landlord, blocked                               party
	crooks                                          int    // fraudster accounts used so far
	lastReceived                                    string // id of the last genuine money received
	settings                                        Settings
	schedule                                        map[int][]string
}

func newSim(seed, index uint64, p persona) *sim {
	s := &sim{
		rng: rand.New(rand.NewPCG(seed, seed^(index+1)*0x9e3779b97f4a7c15)),
		p:   p, w: p.wallet(),
	}
	s.nextID = 30_000_000_000 + int64(index)*10_000_000_000
	s.cast()
	s.settings = Settings{Location: s.w.loc, Blocked: map[string]bool{s.key(s.blocked): true}, Trusted: map[string]bool{}}
	if p.budget > 0 {
		s.settings.DailyBudget = momo.Some(s.w.currency.MinorOf(p.budget))
		s.settings.Currency = s.w.currency
	}
	if p.rent > 0 {
		s.settings.Trusted[s.key(s.landlord)] = true
	}
	s.schedule = s.plan()
	return s
}

// cast invents the people of the history. Numbers are in blocks of zeros
// so they cannot be anyone's.
func (s *sim) cast() {
	prefix := "2507880"
	if s.w.country == "GH" {
		prefix = "2332400"
	}
	people := func(names []string, base int) []party {
		var out []party
		for i, n := range names {
			out = append(out, party{n, prefix + pad(base+i, 5)})
		}
		return out
	}
	s.family = people([]string{"Claudine Example", "Eric Sample", "Grace Demo", "Olivier Madeup"}, 100)
	s.suppliers = people([]string{"Sample Wholesale Ltd", "Example Traders", "Demo Distributors"}, 200)
	s.customers = people([]string{"Aline Fictive", "Bosco Placeholder", "Chantal Sample", "Didier Example", "Esther Demo", "Fabrice Madeup", "Gisele Fictive", "Hubert Sample"}, 300)
	s.agents = people([]string{"Agent Sample", "Agent Demo"}, 400)
	s.landlord = party{"Landlord Example", prefix + "00500"}
	s.blocked = party{"Blocked Fictive", prefix + "00666"}
	for i, n := range []string{"Corner Shop Demo", "Pharmacy Sample", "Bakery Example", "Taxi Moto Demo", "Canteen Sample", "Market Stall Example"} {
		s.merchants = append(s.merchants, party{n, pad(10100+i*111, 5)})
	}
}

func pad(n, width int) string {
	d := []byte(strings.Repeat("0", width))
	for i := width - 1; i >= 0 && n > 0; i-- {
		d[i] = byte('0' + n%10)
		n /= 10
	}
	return string(d)
}

// simKey stands in for the store's keyed hash of a counterparty.
var simKey = []byte("risk simulation key, not a secret")

// key is the counterparty key of a party, computed as the store computes
// it (over the lower-cased name and the number).
func (s *sim) key(p party) string { return CounterpartyKeyOf(simKey, p.name, p.number) }

// CounterpartyKeyOf computes a counterparty key the way the store does:
// HMAC-SHA256 of the lower-cased name and the number, hex-encoded. Tests
// and the simulation use it; production keys come from the store's cipher.
func CounterpartyKeyOf(secret []byte, name, number string) string {
	if name == "" && number == "" {
		return ""
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(strings.ToLower(name) + "\x00" + number))
	return hex.EncodeToString(m.Sum(nil))
}

func (s *sim) subscriber() SimSubscriber {
	return SimSubscriber{Name: s.p.name, Currency: s.w.currency, Settings: s.settings, Events: s.events}
}

// between returns a random integer in [lo, hi].
func (s *sim) between(lo, hi int64) int64 {
	if hi <= lo {
		return lo
	}
	return lo + s.rng.Int64N(hi-lo+1)
}

func (s *sim) chance(p float64) bool { return s.rng.Float64() < p }

// money returns a random amount in [lo, hi] major units, in steps.
func (s *sim) money(r [2]int64) int64 {
	cur := s.w.currency
	return s.roundDown(s.between(cur.MinorOf(r[0]), cur.MinorOf(r[1])), s.p.step)
}

func (s *sim) roundDown(v, step int64) int64 {
	if step <= 1 {
		return v
	}
	return max(v/step*step, step)
}

func pick[T any](s *sim, xs []T) T { return xs[s.rng.IntN(len(xs))] }

// step is one thing that happens at a time of the day.
type step struct {
	at time.Time
	do func()
}

// run plays every day in order.
func (s *sim) run() {
	s.balance = s.money(s.p.stash) / 4
	for d := range simDays {
		day := time.Date(simStart.Year(), simStart.Month(), simStart.Day()+d, 0, 0, 0, 0, s.w.loc)
		steps := s.ordinaryDay(day)
		steps = append(steps, s.injected(d, day)...)
		slices.SortStableFunc(steps, func(a, b step) int { return a.at.Compare(b.at) })
		for _, st := range steps {
			s.now = st.at
			st.do()
		}
	}
}

// at returns a time on day between two hours, to the second.
func (s *sim) at(day time.Time, fromHour, toHour int) time.Time {
	secs := s.between(int64(fromHour)*3600, int64(toHour)*3600-1)
	return day.Add(time.Duration(secs) * time.Second)
}

// daytime is a time for ordinary spending: mostly 07:00–21:00, sometimes
// late in the evening or in the small hours, as the persona lives.
func (s *sim) daytime(day time.Time) time.Time {
	if s.chance(s.p.night) {
		if s.chance(0.7) {
			return s.at(day, 22, 24)
		}
		return s.at(day, 0, 4)
	}
	return s.at(day, 7, 21)
}

// ordinaryDay plans the day's ordinary messages.
func (s *sim) ordinaryDay(day time.Time) []step {
	var steps []step
	add := func(at time.Time, do func()) { steps = append(steps, step{at, do}) }

	if s.p.salaryDay == day.Day() {
		add(s.at(day, 8, 10), func() { s.salary(s.money(s.p.salary)) })
	}
	if s.p.weekly[1] > 0 && day.YearDay()%7 == 0 {
		add(s.at(day, 9, 12), func() { s.receive(s.money(s.p.weekly), s.family[0]) })
	}
	if s.p.rent > 0 && day.Day() == s.p.rentDay {
		add(s.at(day, 9, 12), func() { s.send(s.w.currency.MinorOf(s.p.rent), s.landlord, msgSent, ordinary) })
	}
	if s.chance(s.p.income) {
		from := pick(s, append(s.family, s.customers...))
		add(s.at(day, 7, 20), func() { s.receive(s.money(s.p.incomeAmt), from) })
	}
	for range s.between(int64(s.p.payments[0]), int64(s.p.payments[1])) {
		to := pick(s, s.merchants)
		add(s.daytime(day), func() { s.send(s.money(s.p.paymentAmt), to, msgPayment, ordinary) })
	}
	if s.chance(s.p.airtime) {
		add(s.daytime(day), func() { s.send(s.money(s.p.airtimeAmt), party{}, msgAirtime, ordinary) })
	}
	if s.chance(s.p.transfer) {
		to := pick(s, append(slices.Clone(s.family), s.suppliers...))
		add(s.daytime(day), func() { s.send(s.money(s.p.transferTo), to, msgSent, ordinary) })
	}
	if s.chance(s.p.withdraw) {
		agent := pick(s, s.agents)
		add(s.at(day, 8, 19), func() { s.send(s.money(s.p.withdrawTo), agent, msgWithdrawal, ordinary) })
	}
	return steps
}

var ordinary = Label{Scenario: "ordinary", Severity: Low}

// id returns the operator's next transaction id: 11 digits, as both MTN
// Rwanda and MTN Ghana write them.
func (s *sim) id() string {
	s.nextID += s.between(1_000, 90_000)
	return strconv.FormatInt(s.nextID, 10)
}

// fee follows the tiers of real MTN Rwanda transfers, and a percentage
// with a floor and a cap (invented) for Ghana.
func (s *sim) fee(amount int64, k msgKind) int64 {
	if s.w.country == "GH" {
		if k != msgSent && k != msgWithdrawal {
			return 0
		}
		return min(max(amount/100, 50), 1000)
	}
	switch {
	case k == msgWithdrawal:
		return min(max(amount/50, 300), 5000)
	case k != msgSent:
		return 0
	case amount <= 1_000:
		return 20
	case amount <= 10_000:
		return 100
	case amount <= 150_000:
		return 250
	}
	return 1_500
}

// salary credits the month's pay: a bank deposit in Rwanda, a payment from
// the employer in Ghana.
func (s *sim) salary(amount int64) {
	s.balance += amount
	f := msgFields{amount: amount, balance: s.balance, name: "Employer Sample Ltd", id: s.id(), at: s.now, note: "salary"}
	s.deliver(msgSalary, f, "", ordinary)
}

// receive credits money from someone.
func (s *sim) receive(amount int64, from party) {
	s.balance += amount
	id := s.id()
	s.lastReceived = id
	f := msgFields{amount: amount, balance: s.balance, name: from.name, number: from.number, id: id, at: s.now}
	s.deliver(msgReceived, f, s.key(from), ordinary)
}

// send debits money if the wallet holds it; a payment the wallet cannot
// make fails and sends no SMS we would see as a transaction.
func (s *sim) send(amount int64, to party, k msgKind, label Label) bool {
	fee := s.fee(amount, k)
	if amount <= 0 || amount+fee > s.balance {
		return false
	}
	s.balance -= amount + fee
	f := msgFields{amount: amount, fee: fee, balance: s.balance, name: to.name, number: to.number, id: s.id(), at: s.now}
	key := s.key(to)
	if k == msgAirtime {
		key = s.key(party{name: "Airtime"})
	}
	s.deliver(k, f, key, label)
	return true
}

// deliver turns a genuine message into an event, as life delivers them:
// now and then the SMS never reaches us (the phone was off, the message was
// deleted before the export), arrives hours late, or is pasted into a chat
// by the subscriber, without its sender and arrival time.
func (s *sim) deliver(k msgKind, f msgFields, key string, label Label) {
	body, tx := s.w.render(s.w, k, f)
	if s.chance(0.015) {
		return
	}
	m := momo.Message{Body: body, Sender: s.w.sender, ReceivedAt: s.now.Add(time.Duration(s.between(3, 40)) * time.Second).UTC(), Source: momo.SourceBackup}
	if s.chance(0.005) {
		m.ReceivedAt = m.ReceivedAt.Add(time.Duration(s.between(3, 8)) * time.Hour)
	}
	if tx.Direction == momo.In && s.chance(0.05) {
		m = momo.Message{Body: body, Source: momo.SourceTelegram}
	}
	s.emit(m, parsed(tx), key, label)
}

func parsed(tx momo.Transaction) momo.Parse {
	return momo.Parse{Outcome: momo.OutcomeParsed, Operator: tx.Operator, Transaction: tx}
}

func (s *sim) emit(m momo.Message, p momo.Parse, key string, label Label) {
	s.events = append(s.events, Event{Candidate: Candidate{Message: m, Parse: p, CounterpartyKey: key}, Label: label})
}
