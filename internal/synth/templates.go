package synth

import (
	"fmt"
	"time"
)

// The invented people and businesses of the examples. Numbers use blocks of
// zeros so that they cannot be mistaken for anyone's.
var (
	people    = []string{"Aline Example", "Eric Sample", "Grace Demo", "Patrick Testman", "Diane Fictive", "Olivier Madeup"}
	merchants = []string{"Kigali Corner Shop", "Umuhanda Pharmacy", "Nyamirambo Bakery", "Hill Top Taxi Moto", "Sunrise Canteen"}
	debiters  = []string{"SAMPLE SCHOOL FEES LTD", "EXAMPLE INSURANCE  PLC"}
	agents    = []string{"Agent Demo", "Agent Sample"}
)

func (h *History) pick(list []string) (string, int) {
	i := int(h.rng.IntN(len(list)))
	return list[i], i
}

func (h *History) deposit(amount int64) {
	h.balance += amount
	h.emit(fmt.Sprintf("*113*R*A bank deposit of %d RWF has been added to your mobile money account at %s. Your NEW BALANCE :%d RWF. Cash Deposit::CASH::::0::250780000100.Thank you for using MTN MobileMoney.*EN#",
		amount, h.stamp(), h.balance))
}

func (h *History) received(amount int64) {
	name, i := h.pick(people)
	h.balance += amount
	note := ""
	if h.chance(0.5) {
		note = "Murakoze \U0001F60A" // the backup writer stores it as two surrogate references
	}
	h.emit(fmt.Sprintf("You have received %d RWF from %s (*********%03d) on your mobile money account at %s. Message from sender: %s. Your new balance:%d RWF. Financial Transaction Id: %d.",
		amount, name, 101+i, h.stamp(), note, h.balance, h.nextID()))
}

func (h *History) momoPay(amount int64) {
	if amount > h.balance {
		return
	}
	name, i := h.pick(merchants)
	h.balance -= amount
	h.emit(fmt.Sprintf("TxId: %d. Your payment of %s RWF to %s %d has been completed at %s. Your new balance: %s RWF. Fee was 0 RWF.",
		h.nextID(), grouped(amount), name, 10100+i*111, h.stamp(), grouped(h.balance)))
}

// transferFee follows the tiers seen on real *165* transfers.
func transferFee(amount int64) int64 {
	switch {
	case amount <= 1000:
		return 20
	case amount <= 10000:
		return 100
	case amount <= 150000:
		return 250
	}
	return 1500
}

func (h *History) transfer(amount int64) {
	fee := transferFee(amount)
	if amount+fee > h.balance {
		return
	}
	name, i := h.pick(people)
	h.balance -= amount + fee
	h.emit(fmt.Sprintf("*165*S*%d RWF transferred to %s (2507880000%02d) from 40000001 at %s . Fee was: %d RWF. New balance: %d RWF. Kugura ama inite cg interineti kuri MoMo, Kanda *182*2*1# .*EN#",
		amount, name, 10+i, h.stamp(), fee, h.balance))
}

func (h *History) utility(amount int64, to, token string) {
	h.balance -= amount
	h.emit(fmt.Sprintf("*162*TxId:%d*S*Your payment of %d RWF to %s with token %s has been completed at %s. Fee was 0 RWF. Your new balance: %d RWF . Message: - -. *EN#",
		h.nextID(), amount, to, token, h.stamp(), h.balance))
}

func (h *History) airtime(amount int64) {
	if amount <= h.balance {
		h.utility(amount, "Airtime", "")
	}
}

// bundle pays for a pack, then MTN confirms the pack in Kinyarwanda a few
// seconds later: two SMS, one transaction.
func (h *History) bundle() {
	packs := []struct {
		price int64
		name  string
	}{{500, "500FRW(800MB)"}, {1000, "1,000FRW(1.5GB)"}, {2000, "2000Rwf(1GB)/30days"}}
	p := packs[h.rng.IntN(len(packs))]
	if p.price > h.balance {
		return
	}
	h.utility(p.price, "Bundles and Packs", "")
	h.now = h.now.Add(time.Duration(h.between(2, 20)) * time.Second)
	h.emit(fmt.Sprintf("Yello!Umaze kugura %s igura %s RWF", p.name, grouped(p.price)))
}

func (h *History) cashPower(amount int64) {
	if amount <= h.balance {
		token := fmt.Sprintf("%05d-%05d-%05d-%05d", h.between(0, 99999), h.between(0, 99999), h.between(0, 99999), h.between(0, 99999))
		h.utility(amount, "MTN Cash Power", token)
	}
}

func (h *History) withdraw(amount int64) {
	fee := transferFee(amount) + 100
	if amount+fee > h.balance {
		return
	}
	agent, i := h.pick(agents)
	h.balance -= amount + fee
	h.emit(fmt.Sprintf("You Subscriber Example (*********100) have via agent: %s (2507880009%02d), withdrawn %d RWF from your mobile money account: 40000001 at %s and you can now collect your money in cash. Your new balance: %d RWF. Fee paid: %d RWF. Message from agent: 1. Financial Transaction Id: %d.",
		agent, i, amount, h.stamp(), h.balance, fee, h.nextID()))
}

func (h *History) merchantDebit(amount int64) {
	if amount > h.balance {
		return
	}
	name, _ := h.pick(debiters)
	h.balance -= amount
	h.emit(fmt.Sprintf("*164*S*Y'ello,A transaction of %d RWF by %s on your MOMO account was successfully completed at %s. Message from debit receiver: . Your new balance:%d RWF. Fee was 0 RWF. Financial Transaction Id: %d. External Transaction Id: %d.*EN#",
		amount, name, h.stamp(), h.balance, h.nextID(), h.between(10000000, 99999999)))
}

func (h *History) failedBundle() {
	h.emit(fmt.Sprintf("*143*TxId:%d*S*Your payment of 5000 RWF to Bundles and Packs with token  has failed at %s. Message: - -. *EN#",
		h.nextID(), h.stamp()))
}

func (h *History) otp() {
	h.emit(fmt.Sprintf("<#> Dear Customer, your MTN MoMo application one-time password is :%04d.MTN MoMo does not recommend that you share or expose your one-time password with anyone. Be Vigilant.", h.between(0, 9999)))
}

// sent is an SMS the subscriber wrote: in the backup, not a transaction.
func (h *History) sent() {
	h.out = append(h.out, SMS{Address: "250788000055", Body: "Ndaje nonaha", Received: h.now.UTC(), Type: 2})
}
