package risk

import (
	"slices"
	"strings"
	"time"

	"github.com/momoanalytics/momo"
)

// Rule identifies one check. The values are stable: stores and dashboards
// may keep and count them.
type Rule string

// Spending rules, for money going out.
const (
	RuleNight           Rule = "night"
	RuleLargeAmount     Rule = "large_amount"
	RuleAboveUsual      Rule = "above_usual"
	RuleOverBudget      Rule = "over_budget"
	RuleBurst           Rule = "burst"
	RuleRoundAmount     Rule = "round_amount"
	RuleLowBalanceLeft  Rule = "low_balance_left"
	RuleNewCounterparty Rule = "new_counterparty"
)

// Counterparty rules, from the subscriber's lists and answers. Trusted and
// ConfirmedLegitimate carry negative points: they lower spending points.
const (
	RuleBlocked             Rule = "blocked"
	RuleNamedInFake         Rule = "named_in_fake"
	RuleReportedFraud       Rule = "reported_fraud"
	RuleTrusted             Rule = "trusted"
	RuleConfirmedLegitimate Rule = "confirmed_legitimate"
)

// Fake-SMS rules: signs that the message did not come from the operator.
const (
	RuleSenderPhone     Rule = "sender_phone"
	RuleSenderUnknown   Rule = "sender_unknown"
	RuleTxIDFormat      Rule = "txid_format"
	RuleTxIDReused      Rule = "txid_reused"
	RuleBalanceMismatch Rule = "balance_mismatch"
	RuleTimeSkew        Rule = "time_skew"
	RuleNearMiss        Rule = "near_miss_template"
	RuleAsksMoneyBack   Rule = "asks_money_back"
	RuleAsksToCall      Rule = "asks_to_call"
	RuleForeignLink     Rule = "foreign_link"
	RuleAsksForPIN      Rule = "asks_for_pin"
)

// fakeRules are the rules whose points decide Verdict.FakeSMS.
var fakeRules = map[Rule]bool{
	RuleSenderPhone: true, RuleSenderUnknown: true, RuleTxIDFormat: true, RuleTxIDReused: true,
	RuleBalanceMismatch: true, RuleTimeSkew: true, RuleNearMiss: true, RuleAsksMoneyBack: true,
	RuleAsksToCall: true, RuleForeignLink: true, RuleAsksForPIN: true,
}

// IsFakeSMS reports whether r is a sign of a fake SMS rather than of risky
// spending.
func (r Rule) IsFakeSMS() bool { return fakeRules[r] }

// Config holds every number the rules use. DefaultConfig gives the
// product's values; a zero Config scores nothing.
type Config struct {
	// Points per rule. A rule that is absent or 0 is off.
	Points map[Rule]int
	Bands  Bands

	// Night is the local hours [NightFrom, NightUntil) across midnight in
	// which outgoing money earns RuleNight points.
	NightFrom, NightUntil int

	// Currencies holds the per-currency thresholds; a currency without an
	// entry is not checked for large, round or draining amounts.
	Currencies map[momo.Currency]CurrencyRule

	// The usual amount is the median of the last BaselineSize outgoing
	// amounts of the same group (transfers, purchases, top-ups) in the same
	// currency, with at least BaselineMin of them. An amount is far above
	// it when it exceeds both median × UsualRatio and median + UsualSpread
	// × the scaled median absolute deviation.
	BaselineSize, BaselineMin int
	UsualRatio, UsualSpread   int64

	// BurstCount transfers of BurstKinds (this one included) within
	// BurstWindow earn RuleBurst points. Exactly BurstWindow apart is
	// outside the window.
	BurstCount  int
	BurstWindow time.Duration
	BurstKinds  []momo.Kind

	// A wallet left with at most LowBalancePercent of what it held before
	// the transaction, by an amount of at least the currency's DrainMin,
	// earns RuleLowBalanceLeft points.
	LowBalancePercent int64

	// NewCounterpartyAfter is how many outgoing transactions a history
	// needs before a first transfer of NewCounterpartyKinds to someone
	// counts as unusual. Paying a new shop is ordinary, so payments are
	// not among the default kinds.
	NewCounterpartyAfter int
	NewCounterpartyKinds []momo.Kind

	// The time written in an SMS may trail its arrival by LateArrival and
	// lead it by EarlyArrival (clocks differ a little) before RuleTimeSkew.
	LateArrival, EarlyArrival time.Duration

	// FakeThreshold is the sum of fake-SMS points from which a message
	// counts as a suspected fake (Verdict.FakeSMS).
	FakeThreshold int

	// Operators is the operator knowledge: senders, id formats, phrases.
	Operators []Operator

	// Covered lists the operators (CoverKey) the parser has templates for.
	// Only for those does an unrecognized text that uses the operator's
	// phrases count as a near miss; for others it is listed as unchecked.
	// Nil means every operator the parser names is covered.
	Covered map[string]bool
}

// CurrencyRule holds the thresholds of one currency, in minor units.
type CurrencyRule struct {
	Large    int64 // at or above: a large amount
	Round    int64 // a positive multiple of it is a round amount
	DrainMin int64 // the smallest amount that can "drain" a wallet
}

// DefaultConfig returns the product's rules. Each call returns fresh maps
// and slices, so a caller may change its copy.
func DefaultConfig() Config {
	return Config{
		Points:               defaultPoints(),
		Bands:                DefaultBands,
		NightFrom:            22,
		NightUntil:           5,
		Currencies:           defaultCurrencies(),
		BaselineSize:         30,
		BaselineMin:          5,
		UsualRatio:           5,
		UsualSpread:          6,
		BurstCount:           3,
		BurstWindow:          time.Hour,
		BurstKinds:           []momo.Kind{momo.KindSent, momo.KindWithdrawal, momo.KindBankTransfer},
		LowBalancePercent:    10,
		NewCounterpartyAfter: 10,
		NewCounterpartyKinds: []momo.Kind{momo.KindSent, momo.KindBankTransfer},
		LateArrival:          2 * time.Hour,
		EarlyArrival:         10 * time.Minute,
		FakeThreshold:        40,
		Operators:            DefaultOperators(),
	}
}

// defaultPoints weighs the rules so that one spending sign alone stays LOW,
// two or three together reach MEDIUM or HIGH, and the classic pattern (a
// large night transfer to someone new, far above the usual) is CRITICAL.
// A blocked counterparty, sending money to someone an earlier fake SMS
// named, or a sender that is a phone number is HIGH on its own. Any one
// fake-SMS sign except an unknown sender id reaches FakeThreshold.
func defaultPoints() map[Rule]int {
	return map[Rule]int{
		RuleNight:           15,
		RuleLargeAmount:     30,
		RuleAboveUsual:      25,
		RuleOverBudget:      20,
		RuleBurst:           25,
		RuleRoundAmount:     10,
		RuleLowBalanceLeft:  20,
		RuleNewCounterparty: 15,

		RuleBlocked:             60,
		RuleNamedInFake:         60,
		RuleReportedFraud:       40,
		RuleTrusted:             -30,
		RuleConfirmedLegitimate: -20,

		RuleSenderPhone:     60,
		RuleSenderUnknown:   30,
		RuleTxIDFormat:      40,
		RuleTxIDReused:      50,
		RuleBalanceMismatch: 40,
		RuleTimeSkew:        40,
		RuleNearMiss:        45,
		RuleAsksMoneyBack:   45,
		RuleAsksToCall:      30,
		RuleForeignLink:     30,
		RuleAsksForPIN:      45,
	}
}

// majorRules are the per-currency thresholds in major units.
//
// What they rest on: "large" is an amount that is a lot for an ordinary
// mobile-money user of that country, chosen as a round local figure of
// roughly USD 150–400 at 2024–2025 exchange rates, which is also about a
// month of a modest urban income there. RWF 1,000 is less than a dollar
// while GHS 1,000 is about seventy, so one number for all would be wrong by
// a factor of a hundred. In the real Rwanda export only 4 of 1,337 outgoing
// amounts reach RWF 500,000. "Round" is the step scammers name sums in
// (RWF 50,000, GHS 100); "drain" ignores amounts under a tenth of large, so
// spending the last few coins on airtime is not a warning. These are
// starting points to tune per deployment, not conversions.
var majorRules = map[momo.Currency][3]int64{ // large, round, drain minimum
	"RWF": {500_000, 50_000, 50_000},
	"UGX": {1_500_000, 100_000, 150_000},
	"TZS": {1_000_000, 100_000, 100_000},
	"KES": {20_000, 1_000, 2_000},
	"GHS": {2_000, 100, 200},
	"XOF": {200_000, 25_000, 20_000},
	"XAF": {200_000, 25_000, 20_000},
	"BIF": {1_000_000, 100_000, 100_000},
	"ZMW": {5_000, 500, 500},
	"MZN": {20_000, 1_000, 2_000},
	"MWK": {500_000, 50_000, 50_000},
	"NGN": {500_000, 50_000, 50_000},
	"CDF": {1_000_000, 100_000, 100_000},
	"ZAR": {5_000, 500, 500},
	"EGP": {15_000, 1_000, 1_500},
	"USD": {300, 100, 30},
	"EUR": {300, 100, 30},
}

func defaultCurrencies() map[momo.Currency]CurrencyRule {
	out := make(map[momo.Currency]CurrencyRule, len(majorRules))
	for cur, r := range majorRules {
		out[cur] = CurrencyRule{Large: cur.MinorOf(r[0]), Round: cur.MinorOf(r[1]), DrainMin: cur.MinorOf(r[2])}
	}
	return out
}

// CoverKey names an operator in Config.Covered.
func CoverKey(name, country string) string {
	return foldName(name) + "|" + strings.ToUpper(country)
}

// Cover records that the parser has templates for an operator, and the
// sender ids its table accepts, typically for each of smsparse's
// Book.Operators(): the parser's table is then the one list of sender ids.
// The senders join the matching Operators entry; an operator risk knows
// nothing else about gets an entry of its own with just them.
func (c *Config) Cover(name, country string, senders ...string) {
	if c.Covered == nil {
		c.Covered = map[string]bool{}
	}
	c.Covered[CoverKey(name, country)] = true
	if len(senders) == 0 {
		return
	}
	for i := range c.Operators {
		o := &c.Operators[i]
		if o.names(name) && strings.EqualFold(o.Country, country) {
			o.Senders = joinSenders(o.Senders, senders)
			return
		}
	}
	c.Operators = append(c.Operators, Operator{Name: name, Country: strings.ToUpper(country), Senders: slices.Clone(senders)})
}

// joinSenders returns a new list with the ids of both, each once.
func joinSenders(have, more []string) []string {
	out := slices.Clone(have)
	for _, s := range more {
		if !slices.ContainsFunc(out, func(h string) bool { return foldSender(h) == foldSender(s) }) {
			out = append(out, s)
		}
	}
	return out
}

// Level returns the level of a score under this configuration's bands.
func (c Config) Level(score int) Level { return c.Bands.Level(score) }

// points returns a rule's points, 0 when it is off.
func (c Config) points(r Rule) int { return c.Points[r] }
