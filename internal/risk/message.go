package risk

import (
	"fmt"
	"strings"
	"time"

	"github.com/momoanalytics/momo"
)

// Signal is one rule that fired: its points and the reason in words. The
// reason never quotes the SMS and holds no secret; it may state amounts.
type Signal struct {
	Rule   Rule
	Points int
	Reason string
}

// Suspicion is what one message shows by itself, before any history.
type Suspicion struct {
	Suspicious bool // at least one fake-SMS sign
	Signals    []Signal
	Reasons    []string
	Unchecked  []string // checks the message gave no material for
	Operator   string   // the operator it claims to come from, "" if none
}

// defaultConfig is the configuration Message uses; it is never handed out,
// so nobody can change it.
var defaultConfig = DefaultConfig()

// Message judges one message alone with the default configuration: the
// sender id, the transaction id's shape, the shape of the text and any
// request the operator's own text never makes. It is what `momo parse`
// prints as "suspicious" and "suspicion".
func Message(m momo.Message, p momo.Parse) (suspicious bool, reasons []string, unchecked []string) {
	s := Inspect(defaultConfig, m, p)
	return s.Suspicious, s.Reasons, s.Unchecked
}

// Inspect judges one message alone under cfg.
func Inspect(cfg Config, m momo.Message, p momo.Parse) Suspicion {
	lower, cut := readable(fold(m.Body))
	ops := cfg.claimed(m, p, lower)
	if len(ops) == 0 && p.Operator == "" {
		return Suspicion{Unchecked: []string{"operator checks: the text reads as no known operator's message"}}
	}

	in := inspection{cfg: cfg, m: m, p: p, lower: lower, ops: ops}
	if cut {
		in.skip(fmt.Sprintf("text rules: only the first %d bytes of the text were read", maxText))
	}
	in.checkSender()
	in.checkShape()
	in.checkID()
	in.checkArrival()
	in.checkRequests()
	return in.result()
}

// maxText bounds the text the phrase rules read. An SMS of ten
// concatenated parts is about 1,600 characters; anything longer is not an
// operator's message, and reading all of it would only cost time.
const maxText = 8 << 10

func readable(lower string) (string, bool) {
	if len(lower) <= maxText {
		return lower, false
	}
	return lower[:maxText], true
}

// inspection gathers the signs of one message.
type inspection struct {
	cfg       Config
	m         momo.Message
	p         momo.Parse
	lower     string
	ops       []*Operator // the operator entries it claims, best first
	signals   []Signal
	unchecked []string
}

// add records a signal; a rule configured to 0 points is off.
func (in *inspection) add(r Rule, reason string) {
	if p := in.cfg.points(r); p != 0 {
		in.signals = append(in.signals, Signal{Rule: r, Points: p, Reason: reason})
	}
}

func (in *inspection) skip(what string) { in.unchecked = append(in.unchecked, what) }

// name is the brand the message claims: the operator entry's, else the
// parser's name for an operator this package knows nothing about.
func (in *inspection) name() string {
	if len(in.ops) > 0 {
		return in.ops[0].Name
	}
	return in.p.Operator
}

func (in *inspection) result() Suspicion {
	s := Suspicion{Signals: in.signals, Unchecked: in.unchecked, Operator: in.name()}
	for _, sig := range in.signals {
		s.Reasons = append(s.Reasons, sig.Reason)
	}
	s.Suspicious = len(in.signals) > 0
	return s
}

// checkSender: operators send from alphanumeric sender ids; an ordinary
// phone number is how a fraudster's own SMS arrives.
func (in *inspection) checkSender() {
	sender := strings.TrimSpace(in.m.Sender)
	if sender == "" {
		in.skip("sender id: the text came without its SMS sender (pasted or typed)")
		return
	}
	if in.anySends(sender) {
		return
	}
	if phoneSender(sender) {
		in.add(RuleSenderPhone, fmt.Sprintf("The SMS came from an ordinary phone number, not from %s's sender id.", in.name()))
		return
	}
	if !in.anySenders() {
		in.skip(fmt.Sprintf("sender id: no sender ids are known for %s", in.name()))
		return
	}
	in.add(RuleSenderUnknown, fmt.Sprintf("The SMS sender id is not one %s is known to use.", in.name()))
}

func (in *inspection) anySends(sender string) bool {
	for _, o := range in.ops {
		if o.sends(sender) {
			return true
		}
	}
	return false
}

func (in *inspection) anySenders() bool {
	for _, o := range in.ops {
		if len(o.Senders) > 0 {
			return true
		}
	}
	return false
}

// checkShape: a text that uses an operator's phrases and states an amount
// in its currency, yet matches none of the templates the parser has for
// that operator, is a near miss: a hand-made imitation, or a genuine shape
// nobody has taught the parser yet. Without templates for the operator
// there is nothing to miss, so the check is listed as not made.
func (in *inspection) checkShape() {
	if in.p.Outcome == momo.OutcomeParsed {
		return
	}
	o := in.imitated()
	if o == nil {
		in.skip("message shape: the text was not read as a transaction")
		return
	}
	if !in.cfg.covers(o, in.p.Operator) {
		in.skip(fmt.Sprintf("message shape: %s messages of %s cannot be read yet", o.Name, o.Country))
		return
	}
	in.add(RuleNearMiss, fmt.Sprintf("The text reads like a transaction message of %s but matches none of its known shapes.", o.Name))
}

// imitated returns the claimed operator whose phrases the text uses most,
// if it uses at least two of them and an amount in its currency.
func (in *inspection) imitated() *Operator {
	var best *Operator
	most := 1
	for _, o := range in.ops {
		if n := o.markers(in.lower); n > most && o.writesMoney(in.lower) {
			best, most = o, n
		}
	}
	return best
}

// checkID: each operator numbers its transactions in one shape.
func (in *inspection) checkID() {
	if in.p.Outcome != momo.OutcomeParsed || !in.p.Transaction.Kind.MovesMoney() {
		return
	}
	id := in.p.Transaction.TransactionID
	switch {
	case id == "":
		in.skip("transaction id: this kind of message carries none")
	case len(in.ops) == 0 || len(in.ops[0].IDs) == 0:
		in.skip(fmt.Sprintf("transaction id format: none is known for %s in this country", in.name()))
	case !in.ops[0].validID(id):
		in.add(RuleTxIDFormat, fmt.Sprintf("The transaction id does not have %s's format (%s).", in.name(), in.ops[0].idShape()))
	}
}

// checkArrival: a genuine SMS reaches the phone seconds after the time
// written in it (at most 75 minutes late in the real Rwanda export); a
// fake copied from an old message, or typed with an invented time, does
// not.
func (in *inspection) checkArrival() {
	if in.p.Outcome != momo.OutcomeParsed || !in.p.Transaction.Kind.MovesMoney() {
		return
	}
	written, arrived := in.p.Transaction.OccurredAt, in.m.ReceivedAt
	switch {
	case written.IsZero():
		in.skip("arrival delay: the SMS states no time of its own")
		return
	case arrived.IsZero():
		in.skip("arrival delay: the message has no SMS arrival time")
		return
	}
	gap := arrived.Sub(written)
	if gap > in.cfg.LateArrival {
		in.add(RuleTimeSkew, fmt.Sprintf("The SMS arrived %s after the time written in it.", span(gap)))
	}
	if -gap > in.cfg.EarlyArrival {
		in.add(RuleTimeSkew, fmt.Sprintf("The time written in the SMS is %s after the SMS arrived.", span(-gap)))
	}
}

// checkRequests: requests the operator's own text never makes, read after
// its boilerplate is removed.
var requestReasons = map[Rule]string{
	RuleAsksMoneyBack: "The message asks for money to be sent back, which an operator's SMS never does.",
	RuleAsksToCall:    "The message asks you to call or message a phone number.",
	RuleAsksForPIN:    "The message asks for a PIN or a code.",
}

func (in *inspection) checkRequests() {
	text := scan(withoutBoilerplate(in.lower, in.ops))
	for _, r := range scanText(&text) {
		in.add(r, requestReasons[r])
	}
	if foreignLink(&text, in.ops) {
		in.add(RuleForeignLink, fmt.Sprintf("The message holds a link that is not %s's.", in.name()))
	}
}

// claimed returns the operator entries a message claims to come from, best
// first: those the parser named (narrowed by country, currency or sender),
// else those whose sender id it bears, else the one whose phrases it
// imitates. None means it reads as no operator's message at all.
func (cfg Config) claimed(m momo.Message, p momo.Parse, lower string) []*Operator {
	if p.Operator != "" {
		named := cfg.named(p.Operator)
		if p.Outcome == momo.OutcomeParsed && p.Transaction.Country != "" {
			return byCountry(named, p.Transaction.Country)
		}
		return narrow(named, m.Sender, lower)
	}
	if sent := cfg.sentBy(m.Sender); len(sent) > 0 {
		return narrow(sent, "", lower)
	}
	return cfg.imitatedBy(lower)
}

func (cfg Config) named(name string) []*Operator {
	var out []*Operator
	for i := range cfg.Operators {
		if cfg.Operators[i].names(name) {
			out = append(out, &cfg.Operators[i])
		}
	}
	return out
}

func (cfg Config) sentBy(sender string) []*Operator {
	var out []*Operator
	if strings.TrimSpace(sender) == "" {
		return nil
	}
	for i := range cfg.Operators {
		if cfg.Operators[i].sends(sender) {
			out = append(out, &cfg.Operators[i])
		}
	}
	return out
}

// imitatedBy returns the operator whose transaction phrases (at least two)
// and currency the text uses most.
func (cfg Config) imitatedBy(lower string) []*Operator {
	var best *Operator
	most := 1
	for i := range cfg.Operators {
		o := &cfg.Operators[i]
		if n := o.markers(lower); n > most && o.writesMoney(lower) {
			best, most = o, n
		}
	}
	if best == nil {
		return nil
	}
	return []*Operator{best}
}

func byCountry(ops []*Operator, country string) []*Operator {
	var out []*Operator
	for _, o := range ops {
		if strings.EqualFold(o.Country, country) {
			out = append(out, o)
		}
	}
	return out
}

// narrow keeps, among entries of one brand, those whose currency the text
// writes, else those whose sender id it bears; failing both it keeps all,
// since any of them may be meant.
func narrow(ops []*Operator, sender, lower string) []*Operator {
	var byMoney, bySender []*Operator
	for _, o := range ops {
		if o.writesMoney(lower) {
			byMoney = append(byMoney, o)
		}
		if sender != "" && o.sends(sender) {
			bySender = append(bySender, o)
		}
	}
	switch {
	case len(byMoney) > 0:
		return byMoney
	case len(bySender) > 0:
		return bySender
	}
	return ops
}

// covers reports whether the parser has templates for o. Without a
// Covered list, an operator counts as covered when the parser named it.
func (cfg Config) covers(o *Operator, parserName string) bool {
	if cfg.Covered == nil {
		return parserName != "" && o.names(parserName)
	}
	for key := range cfg.Covered {
		name, country, _ := strings.Cut(key, "|")
		if strings.EqualFold(country, o.Country) && o.names(name) {
			return true
		}
	}
	return false
}

// span writes a duration in whole minutes: "3h10m", "45m".
func span(d time.Duration) string {
	d = d.Round(time.Minute)
	if d < time.Minute {
		return "less than a minute"
	}
	s := d.String()
	return strings.TrimSuffix(s, "0s")
}
