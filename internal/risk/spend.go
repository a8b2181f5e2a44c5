package risk

import (
	"fmt"
	"slices"
	"time"

	"github.com/momoanalytics/momo"
)

// checkSpending runs the rules for money going out.
func (a *assessment) checkSpending() {
	at := when(a.c)
	a.checkNight(at)
	a.checkAmount()
	a.checkUsual(at)
	a.checkBudget(at)
	a.checkBurst(at)
	a.checkBalanceLeft()
	a.checkNewCounterparty()
}

// checkNight reads the hour written in the SMS (else its arrival) in the
// subscriber's timezone: a server clock, or the operator's zone for a
// subscriber abroad, would put the hour somewhere else.
func (a *assessment) checkNight(at time.Time) {
	if at.IsZero() {
		a.skip("hour of day: the message states no time and has no arrival time")
		return
	}
	local := at.In(a.s.location(a.tx))
	if !a.cfg.night(local.Hour()) {
		return
	}
	a.add(RuleNight, fmt.Sprintf("Sent at %s at night (%02d:00 to %02d:00 in your timezone).",
		local.Format("15:04"), a.cfg.NightFrom, a.cfg.NightUntil))
}

// night reports whether an hour falls in [NightFrom, NightUntil), a window
// that may wrap around midnight. Equal bounds switch the rule off.
func (c Config) night(hour int) bool {
	if c.NightFrom == c.NightUntil {
		return false
	}
	if c.NightFrom < c.NightUntil {
		return hour >= c.NightFrom && hour < c.NightUntil
	}
	return hour >= c.NightFrom || hour < c.NightUntil
}

// checkAmount applies the currency's thresholds: at or above Large is
// large, and a positive multiple of Round is round.
func (a *assessment) checkAmount() {
	cr, ok := a.cfg.Currencies[a.tx.Currency]
	if !ok {
		a.skip(fmt.Sprintf("large and round amounts: no thresholds for the currency %q", a.tx.Currency))
		return
	}
	amount := a.tx.Amount.Minor
	if cr.Large > 0 && amount >= cr.Large {
		a.add(RuleLargeAmount, fmt.Sprintf("%s is a large amount (%s or more).", a.money(amount), a.money(cr.Large)))
	}
	if cr.Round > 0 && amount > 0 && amount%cr.Round == 0 {
		a.add(RuleRoundAmount, fmt.Sprintf("%s is a round sum, the kind someone asks for.", a.money(amount)))
	}
}

// checkUsual compares the amount with the subscriber's usual one: the
// median of recent amounts of the same group, which one earlier outlier
// cannot move, and the median absolute deviation as its spread. The amount
// must beat both UsualRatio × median and median + UsualSpread × spread, so
// that neither a steady history (spread 0) nor a wide one flags ordinary
// variation.
func (a *assessment) checkUsual(at time.Time) {
	if a.cfg.BaselineMin <= 0 || a.cfg.UsualRatio <= 0 {
		return
	}
	amounts, label := a.baseline(at)
	if len(amounts) < a.cfg.BaselineMin {
		a.skip(fmt.Sprintf("usual amount: fewer than %d earlier outgoing amounts to compare with", a.cfg.BaselineMin))
		return
	}
	med := median(amounts)
	spread := mad(amounts, med) * 14826 / 10000 // scaled to a standard deviation for normal data
	limit := max(med*a.cfg.UsualRatio, med+a.cfg.UsualSpread*spread)
	if a.tx.Amount.Minor > limit {
		a.add(RuleAboveUsual, fmt.Sprintf("%s is far above your usual %s of about %s.", a.money(a.tx.Amount.Minor), label, a.money(med)))
	}
}

// groups put transactions of one nature together: a transfer of 30,000
// is not unusual for someone whose airtime top-ups are 500.
var groups = map[momo.Kind]string{
	momo.KindSent: "transfers", momo.KindWithdrawal: "transfers", momo.KindBankTransfer: "transfers",
	momo.KindPayment: "payments", momo.KindBill: "payments",
	momo.KindAirtime: "top-ups", momo.KindBundle: "top-ups",
}

// baseline returns the last BaselineSize earlier amounts of the
// transaction's group and currency, or of all its outgoing amounts in that
// currency when the group has too few.
func (a *assessment) baseline(at time.Time) ([]int64, string) {
	group := groups[a.tx.Kind]
	if group != "" {
		if amounts := a.recent(at, func(k momo.Kind) bool { return groups[k] == group }); len(amounts) >= a.cfg.BaselineMin {
			return amounts, group
		}
	}
	return a.recent(at, func(momo.Kind) bool { return true }), "outgoing amount"
}

func (a *assessment) recent(at time.Time, keep func(momo.Kind) bool) []int64 {
	out := make([]int64, 0, min(a.cfg.BaselineSize, len(a.h.Outgoing)))
	for i := len(a.h.Outgoing) - 1; i >= 0 && len(out) < a.cfg.BaselineSize; i-- {
		s := a.h.Outgoing[i]
		if s.Currency == a.tx.Currency && keep(s.Kind) && !after(s.At, at) {
			out = append(out, s.Amount)
		}
	}
	return out
}

// after reports whether t is known to come after ref; unknown times are
// taken as earlier, since the history holds only the past.
func after(t, ref time.Time) bool { return !t.IsZero() && !ref.IsZero() && t.After(ref) }

// median sorts xs in place.
func median(xs []int64) int64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return xs[n/2-1] + (xs[n/2]-xs[n/2-1])/2
}

// mad is the median absolute deviation from med; it overwrites xs with the
// deviations, which spares an import an allocation per payment.
func mad(xs []int64, med int64) int64 {
	for i, x := range xs {
		xs[i] = x - med
		if xs[i] < 0 {
			xs[i] = -xs[i]
		}
	}
	return median(xs)
}

// checkBudget adds the principal sent earlier on the same local day; the
// budget is exceeded when the total goes above it, not when it reaches it.
func (a *assessment) checkBudget(at time.Time) {
	b := a.s.DailyBudget
	if !b.Known || b.Minor <= 0 || (a.s.Currency != "" && a.s.Currency != a.tx.Currency) {
		return
	}
	if at.IsZero() {
		a.skip("daily budget: the message states no time and has no arrival time")
		return
	}
	loc := a.s.location(a.tx)
	day := at.In(loc).Format(time.DateOnly)
	total := a.tx.Amount.Minor
	for _, s := range a.h.Outgoing {
		if s.Currency == a.tx.Currency && !s.At.IsZero() && !s.At.After(at) && s.At.In(loc).Format(time.DateOnly) == day {
			total += s.Amount
		}
	}
	if total > b.Minor {
		a.add(RuleOverBudget, fmt.Sprintf("This brings today's spending to %s, over your daily budget of %s.", a.money(total), a.money(b.Minor)))
	}
}

// checkBurst counts transfers in the window that ends with this one. One
// exactly BurstWindow earlier is outside it.
func (a *assessment) checkBurst(at time.Time) {
	if a.cfg.BurstCount <= 0 || !slices.Contains(a.cfg.BurstKinds, a.tx.Kind) {
		return
	}
	if at.IsZero() {
		a.skip("transfers within the hour: the message states no time and has no arrival time")
		return
	}
	n := 1
	for _, s := range a.h.Outgoing {
		if slices.Contains(a.cfg.BurstKinds, s.Kind) && !s.At.IsZero() && !s.At.After(at) && at.Sub(s.At) < a.cfg.BurstWindow {
			n++
		}
	}
	if n >= a.cfg.BurstCount {
		a.add(RuleBurst, fmt.Sprintf("This is transfer number %d within %s.", n, span(a.cfg.BurstWindow)))
	}
}

// checkBalanceLeft flags a transaction that empties the wallet: what is
// left is at most LowBalancePercent of what was there, and the amount is
// worth a warning (spending the last coins on airtime is not).
func (a *assessment) checkBalanceLeft() {
	cr, ok := a.cfg.Currencies[a.tx.Currency]
	if !ok || a.cfg.LowBalancePercent <= 0 {
		return
	}
	if !a.tx.Balance.Known {
		a.skip("balance left: the SMS states no balance")
		return
	}
	left := a.tx.Balance.Minor
	before := left + a.tx.Amount.Minor + known(a.tx.Fee) + known(a.tx.Tax)
	if a.tx.Amount.Minor >= cr.DrainMin && left*100 <= before*a.cfg.LowBalancePercent {
		a.add(RuleLowBalanceLeft, fmt.Sprintf("It leaves %s of the %s the wallet held.", a.money(left), a.money(before)))
	}
}

// checkNewCounterparty: a first transfer to someone is ordinary for a new
// subscriber and worth a word for one with a settled history.
func (a *assessment) checkNewCounterparty() {
	key := a.c.CounterpartyKey
	if key == "" || !slices.Contains(a.cfg.NewCounterpartyKinds, a.tx.Kind) || a.h.OutgoingCount < a.cfg.NewCounterpartyAfter {
		return
	}
	if a.h.Paid[key] == 0 {
		a.add(RuleNewCounterparty, "You have not sent money to this counterparty before.")
	}
}
