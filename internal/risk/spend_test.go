package risk

import (
	"strings"
	"testing"
	"time"

	"github.com/momoanalytics/momo"
)

// abroad is a subscriber five hours behind UTC, seven behind Kigali.
var abroad = time.FixedZone("UTC-5", -5*60*60)

func TestNight(t *testing.T) {
	tests := []struct {
		name    string
		written time.Time // zero: the SMS states no time
		arrived time.Time // zero: no arrival time
		loc     *time.Location
		want    bool
	}{
		{"21:59:59 is evening", clock(21, 59, 59), time.Time{}, kigali, false},
		{"22:00:00 is night", clock(22, 0, 0), time.Time{}, kigali, true},
		{"midnight", clock(0, 0, 0), time.Time{}, kigali, true},
		{"04:59:59 is night", clock(4, 59, 59), time.Time{}, kigali, true},
		{"05:00:00 is morning", clock(5, 0, 0), time.Time{}, kigali, false},
		{"03:00 in Kigali is 20:00 for a subscriber abroad", clock(3, 0, 0), time.Time{}, abroad, false},
		{"13:00 in Kigali is 06:00 abroad", clock(13, 0, 0), time.Time{}, abroad, false},
		{"07:00 in Kigali is 00:00 abroad", clock(7, 0, 0), time.Time{}, abroad, true},
		{"no subscriber zone: the operator's", clock(23, 30, 0), time.Time{}, nil, true},
		{"the written time wins over a late arrival", clock(12, 0, 0), clock(23, 0, 0), kigali, false},
		{"no written time: the arrival", time.Time{}, clock(23, 0, 0), kigali, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := transfer(1_000, 9_000, tt.written)
			c.Parse.Transaction.OccurredAt = tt.written
			c.Message.ReceivedAt = tt.arrived
			v := Assess(DefaultConfig(), c, Settings{Location: tt.loc}, History{})
			if got := fired(v, RuleNight); got != tt.want {
				t.Errorf("night = %v, want %v (%v)", got, tt.want, v.Reasons)
			}
		})
	}
}

func TestNightUnchecked(t *testing.T) {
	c := transfer(1_000, 9_000, time.Time{})
	c.Message.ReceivedAt = time.Time{}
	v := Assess(DefaultConfig(), c, settings(), History{})
	if !hasPrefix(v.Unchecked, "hour of day:") {
		t.Errorf("unchecked %q lacks the hour of day", v.Unchecked)
	}
}

func hasPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

// TestLargeAmount puts each currency's threshold and one minor unit below
// it side by side: GHS 1,000 and RWF 1,000 are not the same money.
func TestLargeAmount(t *testing.T) {
	tests := []struct {
		cur    momo.Currency
		amount int64 // minor units
		want   bool
	}{
		{"RWF", 499_999, false}, {"RWF", 500_000, true}, {"RWF", 1_000, false},
		{"GHS", 199_999, false}, {"GHS", 200_000, true}, {"GHS", 100_000, false},
		{"KES", 1_999_999, false}, {"KES", 2_000_000, true},
		{"UGX", 1_499_999, false}, {"UGX", 1_500_000, true},
		{"TZS", 99_999_999, false}, {"TZS", 100_000_000, true},
	}
	for _, tt := range tests {
		c := transfer(tt.amount, 1_000_000_000, clock(12, 0, 0))
		c.Parse.Transaction.Currency = tt.cur
		v := Assess(DefaultConfig(), c, settings(), History{})
		if got := fired(v, RuleLargeAmount); got != tt.want {
			t.Errorf("%s %d: large = %v, want %v", tt.cur, tt.amount, got, tt.want)
		}
	}
}

func TestUnknownCurrency(t *testing.T) {
	c := transfer(5_000_000, 9_000, clock(12, 0, 0))
	c.Parse.Transaction.Currency = "XYZ"
	v := Assess(DefaultConfig(), c, settings(), History{})
	if fired(v, RuleLargeAmount) || !hasPrefix(v.Unchecked, "large and round amounts:") {
		t.Errorf("an unknown currency must be listed as unchecked: %v / %v", v.Reasons, v.Unchecked)
	}
}

func TestRoundAmount(t *testing.T) {
	tests := []struct {
		cur    momo.Currency
		amount int64
		want   bool
	}{
		{"RWF", 50_000, true}, {"RWF", 100_000, true}, {"RWF", 50_100, false}, {"RWF", 10_000, false},
		{"GHS", 10_000, true}, {"GHS", 10_050, false}, {"GHS", 5_000, false},
	}
	for _, tt := range tests {
		c := transfer(tt.amount, 1_000_000, clock(12, 0, 0))
		c.Parse.Transaction.Currency = tt.cur
		v := Assess(DefaultConfig(), c, settings(), History{})
		if got := fired(v, RuleRoundAmount); got != tt.want {
			t.Errorf("%s %d: round = %v, want %v", tt.cur, tt.amount, got, tt.want)
		}
	}
}

// TestAboveUsual checks the limit max(5 × median, median + 6 × 1.4826 ×
// MAD) to the minor unit, and that one earlier outlier does not move it.
func TestAboveUsual(t *testing.T) {
	tests := []struct {
		name    string
		history []int64
		amount  int64
		want    bool
	}{
		// median 10,000, MAD 1,000: the ratio rules, the limit is 50,000.
		{"steady, at the limit", []int64{8_000, 9_000, 10_000, 10_000, 10_000, 11_000, 12_000}, 50_000, false},
		{"steady, one above", []int64{8_000, 9_000, 10_000, 10_000, 10_000, 11_000, 12_000}, 50_001, true},
		// median 20,000, MAD 19,000 → spread 28,169: the limit is 189,014.
		{"wide, at the limit", []int64{1_000, 5_000, 20_000, 40_000, 60_000}, 189_014, false},
		{"wide, one above", []int64{1_000, 5_000, 20_000, 40_000, 60_000}, 189_015, true},
		// A running mean would be about 723,000 here; the median stays 10,000.
		{"one earlier outlier", []int64{10_000, 10_000, 10_000, 10_000, 10_000, 10_000, 5_000_000}, 60_000, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := spends(momo.KindSent, tt.history...)
			v := Assess(DefaultConfig(), transfer(tt.amount, 10_000_000, clock(12, 0, 0)), settings(), h)
			if got := fired(v, RuleAboveUsual); got != tt.want {
				t.Errorf("above usual = %v, want %v (%v)", got, tt.want, v.Reasons)
			}
		})
	}
}

func TestAboveUsualGroupsAndMinimum(t *testing.T) {
	cfg := DefaultConfig()
	few := spends(momo.KindSent, 1_000, 1_000, 1_000, 1_000)
	v := Assess(cfg, transfer(900_000, 10_000_000, clock(12, 0, 0)), settings(), few)
	if fired(v, RuleAboveUsual) || !hasPrefix(v.Unchecked, "usual amount:") {
		t.Errorf("4 earlier amounts are too few to know the usual: %v / %v", v.Reasons, v.Unchecked)
	}

	// Top-ups of 500 say nothing about transfers once there are enough
	// transfers to compare with.
	h := spends(momo.KindAirtime, 500, 500, 500, 500, 500, 500)
	h.Outgoing = append(h.Outgoing, spends(momo.KindSent, 30_000, 30_000, 40_000, 30_000, 20_000).Outgoing...)
	v = Assess(cfg, transfer(35_000, 10_000_000, clock(12, 0, 0)), settings(), h)
	if fired(v, RuleAboveUsual) {
		t.Errorf("a transfer like earlier transfers is not above usual: %v", v.Reasons)
	}
}

func TestOverBudget(t *testing.T) {
	budget := Settings{Location: kigali, DailyBudget: momo.Some(50_000), Currency: "RWF"}
	earlier := func(at time.Time, amount int64) History {
		return History{Outgoing: []Spend{{At: at, Amount: amount, Currency: "RWF", Kind: momo.KindPayment}}, OutgoingCount: 1}
	}
	tests := []struct {
		name   string
		s      Settings
		h      History
		amount int64
		want   bool
	}{
		{"exactly the budget", budget, earlier(clock(9, 0, 0), 30_000), 20_000, false},
		{"one franc over", budget, earlier(clock(9, 0, 0), 30_000), 20_001, true},
		{"alone over it", budget, History{}, 50_001, true},
		{"yesterday does not count", budget, earlier(clock(9, 0, 0).Add(-24*time.Hour), 30_000), 20_001, false},
		// 00:30 in Kigali is 17:30 the day before, seven hours behind.
		{"the day is the subscriber's", Settings{Location: abroad, DailyBudget: momo.Some(50_000)}, earlier(clock(0, 30, 0), 30_000), 20_001, false},
		{"no budget", settings(), earlier(clock(9, 0, 0), 30_000), 900_000, false},
		{"another currency's budget", Settings{Location: kigali, DailyBudget: momo.Some(50), Currency: "GHS"}, History{}, 900_000, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Assess(DefaultConfig(), transfer(tt.amount, 10_000_000, clock(15, 0, 0)), tt.s, tt.h)
			if got := fired(v, RuleOverBudget); got != tt.want {
				t.Errorf("over budget = %v, want %v (%v)", got, tt.want, v.Reasons)
			}
		})
	}
}

func TestBurst(t *testing.T) {
	now := clock(15, 0, 0)
	earlier := func(kind momo.Kind, ago ...time.Duration) History {
		var h History
		for _, d := range ago {
			h.Outgoing = append(h.Outgoing, Spend{At: now.Add(-d), Amount: 5_000, Currency: "RWF", Kind: kind})
		}
		return h
	}
	tests := []struct {
		name string
		h    History
		want bool
	}{
		{"2 transfers in the hour (N-1)", earlier(momo.KindSent, 30*time.Minute), false},
		{"3 transfers in the hour (N)", earlier(momo.KindSent, 30*time.Minute, 59*time.Minute+59*time.Second), true},
		{"4 transfers in the hour (N+1)", earlier(momo.KindSent, 10*time.Minute, 20*time.Minute, 30*time.Minute), true},
		{"exactly 60 minutes apart is outside", earlier(momo.KindSent, 30*time.Minute, time.Hour), false},
		{"withdrawals count", earlier(momo.KindWithdrawal, 5*time.Minute, 6*time.Minute), true},
		{"shop payments do not", earlier(momo.KindPayment, 5*time.Minute, 6*time.Minute), false},
		{"later messages do not", earlier(momo.KindSent, -5*time.Minute, -6*time.Minute), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Assess(DefaultConfig(), transfer(5_000, 100_000, now), settings(), tt.h)
			if got := fired(v, RuleBurst); got != tt.want {
				t.Errorf("burst = %v, want %v (%v)", got, tt.want, v.Reasons)
			}
		})
	}
}

func TestLowBalanceLeft(t *testing.T) {
	tests := []struct {
		name            string
		amount, balance int64
		want            bool
	}{
		{"10% left", 90_000, 10_000, true},
		{"just over 10% left", 90_000, 10_001, false},
		{"emptied", 250_000, 0, true},
		{"last coins on a small amount", 45_000, 100, false},
		{"at the drain minimum", 50_000, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Assess(DefaultConfig(), transfer(tt.amount, tt.balance, clock(12, 0, 0)), settings(), History{})
			if got := fired(v, RuleLowBalanceLeft); got != tt.want {
				t.Errorf("low balance left = %v, want %v (%v)", got, tt.want, v.Reasons)
			}
		})
	}

	c := transfer(90_000, 0, clock(12, 0, 0))
	c.Parse.Transaction.Balance = momo.Amount{}
	v := Assess(DefaultConfig(), c, settings(), History{})
	if !hasPrefix(v.Unchecked, "balance left:") {
		t.Errorf("no balance stated must be unchecked: %v", v.Unchecked)
	}
}

func TestNewCounterparty(t *testing.T) {
	settled := spends(momo.KindSent, 5_000, 5_000, 5_000, 5_000, 5_000, 5_000, 5_000, 5_000, 5_000, 5_000)
	young := spends(momo.KindSent, 5_000, 5_000, 5_000, 5_000, 5_000, 5_000, 5_000, 5_000, 5_000)
	tests := []struct {
		name string
		c    Candidate
		h    History
		want bool
	}{
		{"settled history, first transfer to Eric", transfer(5_000, 100_000, clock(12, 0, 0)), settled, true},
		{"9 earlier transactions are too few", transfer(5_000, 100_000, clock(12, 0, 0)), young, false},
		{"Grace was paid before", rwMessage(msgSent, 5_000, 100_000, clock(12, 0, 0), grace), settled, false},
		{"a new shop is ordinary", rwMessage(msgPayment, 5_000, 100_000, clock(12, 0, 0), shop), settled, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Assess(DefaultConfig(), tt.c, settings(), tt.h)
			if got := fired(v, RuleNewCounterparty); got != tt.want {
				t.Errorf("new counterparty = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestIncomingIsNotSpending: money coming in earns no spending points,
// however large, late or round.
func TestIncomingIsNotSpending(t *testing.T) {
	c := rwMessage(msgReceived, 1_000_000, 1_000_000, clock(2, 0, 0), eric)
	v := Assess(DefaultConfig(), c, settings(), History{})
	if v.Score != 0 || len(v.Signals) != 0 {
		t.Errorf("a genuine receipt scored %d: %v", v.Score, v.Reasons)
	}
}

// TestReasonsHoldNoText: reasons state amounts at most, never the SMS.
func TestReasonsHoldNoText(t *testing.T) {
	c := transfer(600_000, 1_000, clock(23, 30, 0))
	v := Assess(DefaultConfig(), c, Settings{Location: kigali, DailyBudget: momo.Some(10_000), Blocked: map[string]bool{keyOf(eric): true}}, spends(momo.KindSent, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000))
	if len(v.Reasons) < 5 {
		t.Fatalf("expected many reasons, got %v", v.Reasons)
	}
	for _, r := range v.Reasons {
		for _, secret := range []string{"Eric", "250788000101", "40000009", "Kugura"} {
			if strings.Contains(r, secret) {
				t.Errorf("reason %q quotes the SMS (%q)", r, secret)
			}
		}
	}
}

// TestRuleOff: a rule set to 0 points neither scores nor gives a reason.
func TestRuleOff(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Points[RuleNight] = 0
	delete(cfg.Points, RuleSenderPhone)
	c := transfer(1_000, 9_000, clock(23, 0, 0))
	c.Message.Sender = "+250788000417"
	v := Assess(cfg, c, settings(), History{})
	if len(v.Signals) != 0 || v.Score != 0 {
		t.Errorf("rules switched off still fired: %v", v.Reasons)
	}
}
