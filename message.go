package momo

import "time"

// Source says how a message reached us.
type Source string

// The channels an SMS can arrive through.
const (
	SourceBackup   Source = "backup"   // an SMS Backup & Restore XML file
	SourceCLI      Source = "cli"      // momo parse or a pasted text on the command line
	SourceTelegram Source = "telegram" // forwarded to the Telegram bot
	SourceWhatsApp Source = "whatsapp" // forwarded to the WhatsApp number
	SourceDevice   Source = "device"   // posted by an Android forwarder
	SourceUpload   Source = "upload"   // uploaded on the dashboard
)

// Message is one inbound SMS as it reached us, before parsing.
type Message struct {
	Body   string
	Sender string // the SMS address or sender id; empty when unknown (pasted text)
	// ReceivedAt is when the phone received the SMS, in UTC; zero when
	// unknown (text pasted into a chat has no SMS time).
	ReceivedAt time.Time
	Source     Source
	// Position locates the message in its file or stream for error reports,
	// e.g. "record 12 (line 40)". It never holds message text.
	Position string
}

// Outcome is what became of one message.
type Outcome string

// The outcomes an import counts.
const (
	OutcomeParsed       Outcome = "parsed"       // a template matched
	OutcomeUnrecognized Outcome = "unrecognized" // kept, no template matched
	OutcomeDuplicate    Outcome = "duplicate"    // already stored, or its transaction is
	OutcomeSkipped      Outcome = "skipped"      // not a candidate (sent SMS, MMS)
	OutcomeRejected     Outcome = "rejected"     // unreadable; kept with a reason where there was content
)

// Counts sums the outcomes of an import. Read is every record seen; the
// other fields add up to it.
type Counts struct {
	Read         int `json:"read"`
	Parsed       int `json:"parsed"`
	Unrecognized int `json:"unrecognized"`
	Duplicate    int `json:"duplicate"`
	Skipped      int `json:"skipped"`
	Rejected     int `json:"rejected"`
}

// Add records one outcome.
func (c *Counts) Add(o Outcome) {
	c.Read++
	switch o {
	case OutcomeParsed:
		c.Parsed++
	case OutcomeUnrecognized:
		c.Unrecognized++
	case OutcomeDuplicate:
		c.Duplicate++
	case OutcomeSkipped:
		c.Skipped++
	case OutcomeRejected:
		c.Rejected++
	}
}

// Merge adds other's counts to c.
func (c *Counts) Merge(other Counts) {
	c.Read += other.Read
	c.Parsed += other.Parsed
	c.Unrecognized += other.Unrecognized
	c.Duplicate += other.Duplicate
	c.Skipped += other.Skipped
	c.Rejected += other.Rejected
}
