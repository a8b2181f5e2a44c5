// Package report presents the analytics a store computed: as aligned text
// for a terminal, as JSON for programs, and as CSV for spreadsheets. The
// store does the arithmetic in SQL; this package only opens the few sealed
// names it shows and formats.
package report

import (
	"fmt"
	"time"

	"github.com/momoanalytics/momo"
)

// Report is the presentable form of momo.Report. Money is in minor units.
type Report struct {
	From           string         `json:"from,omitempty"`
	To             string         `json:"to,omitempty"`
	Messages       int            `json:"messages"`
	Transactions   int            `json:"transactions"`
	Unrecognized   int            `json:"unrecognized"`
	Rejected       int            `json:"rejected"`
	Months         []Month        `json:"months"`
	Kinds          []Kind         `json:"kinds"`
	Charges        []Charge       `json:"charges"`
	Counterparties []Counterparty `json:"top_counterparties"`
	Balances       []Balance      `json:"last_balances"`
	UnrecognizedBy []Operator     `json:"unrecognized_by_operator"`
	RiskLevels     []RiskLevel    `json:"risk_levels"`
	Alerts         []Alert        `json:"risk_alerts"`
}

// RiskLevel counts assessed transactions of one level.
type RiskLevel struct {
	Level string `json:"level"`
	Count int    `json:"count"`
}

// Alert is a HIGH or CRITICAL verdict, with what it was about.
type Alert struct {
	At        time.Time      `json:"at"`
	Kind      momo.Kind      `json:"kind"`
	Direction momo.Direction `json:"direction"`
	Currency  momo.Currency  `json:"currency"`
	Amount    momo.Amount    `json:"amount"`
	Score     int            `json:"score"`
	Level     string         `json:"level"`
	FakeSMS   bool           `json:"fake_sms"`
	Reasons   []string       `json:"reasons"`
}

// Month is money in and out in one local month.
type Month struct {
	Month    string        `json:"month"`
	Currency momo.Currency `json:"currency"`
	In       int64         `json:"in"`
	Out      int64         `json:"out"`
	Fees     int64         `json:"fees"`
	Taxes    int64         `json:"taxes"`
	Count    int           `json:"count"`
}

// Kind sums one kind of transaction.
type Kind struct {
	Kind      momo.Kind      `json:"kind"`
	Direction momo.Direction `json:"direction"`
	Currency  momo.Currency  `json:"currency"`
	Count     int            `json:"count"`
	Total     int64          `json:"total"`
}

// Charge sums fees and taxes in one currency.
type Charge struct {
	Currency momo.Currency `json:"currency"`
	Fees     int64         `json:"fees"`
	Taxes    int64         `json:"taxes"`
}

// Counterparty sums what went to and came from one counterparty.
type Counterparty struct {
	Name     string        `json:"name"`
	Number   string        `json:"number"`
	Currency momo.Currency `json:"currency"`
	Count    int           `json:"count"`
	In       int64         `json:"in"`
	Out      int64         `json:"out"`
}

// Balance is the last balance an operator stated.
type Balance struct {
	Operator string        `json:"operator"`
	Currency momo.Currency `json:"currency"`
	Balance  int64         `json:"balance"`
	At       time.Time     `json:"at"`
}

// Operator counts unrecognized messages of one (guessed) operator.
type Operator struct {
	Operator string `json:"operator"`
	Count    int    `json:"count"`
}

// Zone tells in which timezone to show a time of money in a currency: the
// subscriber's, or else the country of the operator that wrote it.
type Zone func(momo.Currency) *time.Location

// Build turns the store's report into the presentable one, opening the
// counterparty names with c and showing times in zone (UTC when nil).
func Build(r momo.Report, q momo.ReportQuery, c momo.Cipher, zone Zone) (Report, error) {
	out := Report{
		From: q.From, To: q.To, Messages: r.Messages, Transactions: r.Transactions,
		Unrecognized: r.Unrecognized, Rejected: r.Rejected,
		Months: []Month{}, Kinds: []Kind{}, Charges: []Charge{}, Counterparties: []Counterparty{},
		Balances: []Balance{}, UnrecognizedBy: []Operator{},
		RiskLevels: []RiskLevel{}, Alerts: []Alert{},
	}
	for _, l := range r.RiskLevels {
		out.RiskLevels = append(out.RiskLevels, RiskLevel(l))
	}
	for _, a := range r.Alerts {
		out.Alerts = append(out.Alerts, Alert{
			At: inZone(a.At, zone, a.Currency), Kind: a.Kind, Direction: a.Direction, Currency: a.Currency,
			Amount: a.Amount, Score: a.Risk.Score, Level: a.Risk.Level, FakeSMS: a.Risk.FakeSMS,
			Reasons: append([]string{}, a.Risk.Reasons...),
		})
	}
	for _, m := range r.Months {
		out.Months = append(out.Months, Month(m))
	}
	for _, k := range r.Kinds {
		out.Kinds = append(out.Kinds, Kind(k))
	}
	for _, ch := range r.Charges {
		out.Charges = append(out.Charges, Charge(ch))
	}
	for _, b := range r.Balances {
		out.Balances = append(out.Balances, Balance{
			Operator: b.Operator, Currency: b.Currency, Balance: b.Balance, At: inZone(b.At, zone, b.Currency),
		})
	}
	for _, o := range r.UnrecognizedBy {
		out.UnrecognizedBy = append(out.UnrecognizedBy, Operator(o))
	}
	for _, cp := range r.Counterparties {
		name, err := open(c, cp.Name)
		if err != nil {
			return Report{}, err
		}
		number, err := open(c, cp.Number)
		if err != nil {
			return Report{}, err
		}
		out.Counterparties = append(out.Counterparties, Counterparty{
			Name: name, Number: number, Currency: cp.Currency, Count: cp.Count, In: cp.In, Out: cp.Out,
		})
	}
	return out, nil
}

// inZone shows t where money in cur is read: UTC when zone is nil.
func inZone(t time.Time, zone Zone, cur momo.Currency) time.Time {
	if zone != nil {
		if loc := zone(cur); loc != nil {
			return t.In(loc)
		}
	}
	return t.UTC()
}

func open(c momo.Cipher, s momo.Sealed) (string, error) {
	if s == "" {
		return "", nil
	}
	b, err := c.Open(s)
	if err != nil {
		return "", fmt.Errorf("report: open counterparty: %w", err)
	}
	return string(b), nil
}
