// Package ingest turns inbound SMS into stored records: it checks each
// message, parses it, seals what must not be kept in clear, computes the
// keys that deduplicate it, and hands batches to the store. Every message
// that enters is stored, parsed or not; only sent messages and MMS, which
// are not candidates, are counted and left out.
package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/smsparse"
)

// DefaultMaxBody bounds an SMS body. A concatenated SMS of ten parts is
// under 2 KB; anything past 16 KiB is not an SMS, whatever the file says.
const DefaultMaxBody = 16 << 10

// DefaultBatch is how many messages go to the store in one transaction.
const DefaultBatch = 2000

// DefaultBatchBytes also closes a batch, when its sealed bodies reach it.
// Up to three batches live at once (one being built, one queued, one
// being stored), each for as long as the input takes to fill the next:
// three batches of 2,000 bodies of 16 KiB would hold 96 MiB per import,
// more once sealed, while a slow upload trickles in. At 2 MiB a batch of
// ordinary SMS still reaches the count limit first.
const DefaultBatchBytes = 2 << 20

// saveTimeout bounds one batch's write. Saves run on a context that the
// caller's cancellation does not reach, so that what was read before a
// client went away is still stored; this keeps such a save from hanging.
const saveTimeout = 30 * time.Second

// Item is one record of an input stream.
type Item struct {
	Message momo.Message
	// Skip marks a record that is not a candidate transaction (a sent SMS,
	// an MMS): counted, not stored.
	Skip bool
	// Damage says why the record could not be read in full; such a record
	// is stored as rejected when any body was recovered, counted otherwise.
	Damage string
}

// Importer stores messages for one subscriber at a time.
type Importer struct {
	Parser momo.Parser
	Cipher momo.Cipher
	Store  momo.Store
	// NewRisk, when set, starts the risk assessment of one run (an import
	// or a reparse), which then judges every readable message in order.
	NewRisk   func(momo.Subscriber) (Assessor, error)
	Log       *slog.Logger
	Now       func() time.Time
	MaxBody   int
	BatchSize int
	// BatchBytes bounds the sealed bodies of a batch (DefaultBatchBytes
	// when 0).
	BatchBytes int
}

func (im *Importer) now() time.Time {
	if im.Now != nil {
		return im.Now().UTC()
	}
	return time.Now().UTC()
}

// Import reads items from next until it returns done, storing them in
// batches for sub. Reading, parsing and sealing run in one goroutine while
// the store writes the previous batch in another, so an import keeps both
// cores busy. What was stored before an error stays stored: the counts
// returned with the error say how far it got, and running the same import
// again only adds what is missing. Every message read before next fails or
// ctx ends is stored, even when ctx ending is what made next fail (a
// client that went away cancels its request).
func (im *Importer) Import(ctx context.Context, sub momo.Subscriber, next func() (Item, bool, error)) (momo.Counts, error) {
	r, err := im.start(sub)
	if err != nil {
		return momo.Counts{}, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	batches := make(chan batch, 1)
	go im.produce(ctx, r, next, batches)

	var counts momo.Counts
	var saveErr error
	for b := range batches {
		if saveErr == nil && len(b.records) > 0 {
			saveErr = im.save(ctx, sub, b.records, &counts)
		}
		counts.Merge(b.counts)
		if saveErr != nil {
			cancel() // the producer stops at its next item
			continue
		}
		if b.err != nil {
			return counts, b.err
		}
	}
	return counts, saveErr
}

// batch is what the producer hands to the writer: records to store, the
// outcomes it settled itself (skipped, rejected without a body), and the
// error that ended the input, if any.
type batch struct {
	records []momo.MessageRecord
	bytes   int // of the sealed bodies
	counts  momo.Counts
	err     error
}

// produce reads, checks, parses and seals items into batches. It closes out
// after the last batch, which carries the input's error if there was one.
// Every batch is handed over, the last one too when ctx has ended: the
// writer reads out to the end, and decides what to store.
func (im *Importer) produce(ctx context.Context, r *run, next func() (Item, bool, error), out chan<- batch) {
	defer close(out)
	size, budget := im.batchLimits()
	b := batch{records: make([]momo.MessageRecord, 0, size)}

	for {
		if err := ctx.Err(); err != nil {
			b.err = fmt.Errorf("ingest: stopped: %w", err)
			out <- b
			return
		}
		item, ok, err := next()
		if err != nil || !ok {
			b.err = err
			out <- b
			return
		}
		if err := im.add(&b, r, item); err != nil {
			b.err = err
			out <- b
			return
		}
		if len(b.records) == size || b.bytes >= budget {
			out <- b
			b = batch{records: make([]momo.MessageRecord, 0, size)}
		}
	}
}

// batchLimits are the count and the body bytes that close a batch.
func (im *Importer) batchLimits() (size, budget int) {
	size, budget = im.BatchSize, im.BatchBytes
	if size <= 0 {
		size = DefaultBatch
	}
	if budget <= 0 {
		budget = DefaultBatchBytes
	}
	return size, budget
}

// add turns one item into a record of b, or counts it.
func (im *Importer) add(b *batch, r *run, item Item) error {
	if item.Skip {
		b.counts.Add(momo.OutcomeSkipped)
		return nil
	}
	rec, stored, err := im.record(r, item)
	if err != nil {
		return err
	}
	if !stored {
		b.counts.Add(momo.OutcomeRejected)
		return nil
	}
	b.records = append(b.records, rec)
	b.bytes += len(rec.Body)
	return nil
}

// save stores one batch and counts each record's outcome. The records
// were read: the write goes on when ctx ends, for at most saveTimeout.
func (im *Importer) save(ctx context.Context, sub momo.Subscriber, recs []momo.MessageRecord, counts *momo.Counts) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), saveTimeout)
	defer cancel()
	outcomes, err := im.Store.Save(ctx, sub.ID, recs)
	if err != nil {
		return fmt.Errorf("ingest: save %d messages: %w", len(recs), err)
	}
	for _, o := range outcomes {
		counts.Add(o)
	}
	return nil
}

// record builds the stored form of one item. stored is false for a damaged
// record with no body to keep.
func (im *Importer) record(r *run, item Item) (rec momo.MessageRecord, stored bool, err error) {
	m := item.Message
	reason := item.Damage
	if reason == "" {
		reason = im.check(m)
	}
	if reason != "" {
		im.log().Debug("Message rejected", "source", m.Source, "position", m.Position, "reason", reason)
		if m.Body == "" {
			return rec, false, nil
		}
		rec, err = im.sealed(m, momo.OutcomeRejected)
		rec.Reason = reason
		if !im.inRange(m.ReceivedAt) {
			m.ReceivedAt, rec.ReceivedAt = time.Time{}, time.Time{} // kept as it came in the hash only
		}
		rec.LocalDay = im.messageDay(r.zone, m, momo.Parse{})
		return rec, err == nil, err
	}

	p := im.Parser.Parse(m)
	if reason := im.checkTime(p); reason != "" {
		return im.record(r, Item{Message: m, Damage: reason})
	}
	rec, err = im.sealed(m, p.Outcome)
	if err != nil {
		return rec, false, err
	}
	rec.Operator = p.Operator
	rec.LocalDay = im.messageDay(r.zone, m, p)
	if p.Outcome == momo.OutcomeParsed {
		rec.Template = p.Transaction.Template
		rec.Tx, err = im.transaction(r.zone, m, p.Transaction)
	}
	if err != nil {
		return rec, false, err
	}
	if rec.Tx != nil {
		rec.LocalDay = rec.Tx.LocalDay
	}
	r.assess(m, p, rec.Tx)
	return rec, true, nil
}

// run is one import or reparse for one subscriber: its timezone, and the
// risk history that grows message by message.
type run struct {
	zone *time.Location
	risk Assessor // nil when risk is not assessed
}

func (im *Importer) start(sub momo.Subscriber) (*run, error) {
	zone, err := subscriberZone(sub)
	if err != nil {
		return nil, err
	}
	r := &run{zone: zone}
	if im.NewRisk != nil {
		if r.risk, err = im.NewRisk(sub); err != nil {
			return nil, fmt.Errorf("ingest: risk settings: %w", err)
		}
	}
	return r, nil
}

// assess feeds every readable message to the risk history, and keeps the
// verdict with the transaction when there is one to keep.
func (r *run) assess(m momo.Message, p momo.Parse, tx *momo.TransactionRecord) {
	if r.risk == nil {
		return
	}
	key := ""
	if tx != nil {
		key = tx.CounterpartyKey
	}
	v := r.risk.Assess(m, p, key)
	if tx != nil {
		tx.Risk = v
	}
}

// messageDay is the local day a message without a transaction counts on:
// when it was received, or else imported.
func (im *Importer) messageDay(zone *time.Location, m momo.Message, p momo.Parse) string {
	return firstTime(m.ReceivedAt, im.now()).In(localZone(zone, p.Transaction)).Format(time.DateOnly)
}

// Times outside these bounds are damage, not history: no mobile-money SMS
// predates 2000, and none arrives from the future.
var earliest = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

const clockSkew = 48 * time.Hour

// checkTime returns why the times of a message cannot be believed, or "".
func (im *Importer) checkTime(p momo.Parse) string {
	if p.Outcome == momo.OutcomeParsed && !im.inRange(p.Transaction.OccurredAt) {
		return "the time written in the SMS is out of range"
	}
	return ""
}

// inRange reports whether t is zero (unknown) or a believable time.
func (im *Importer) inRange(t time.Time) bool {
	return t.IsZero() || !t.Before(earliest) && !t.After(im.now().Add(clockSkew))
}

// check returns why a message cannot be parsed, or "".
func (im *Importer) check(m momo.Message) string {
	if !im.inRange(m.ReceivedAt) {
		return "receipt time out of range"
	}
	return im.checkBody(m.Body)
}

// checkBody returns why a body cannot be parsed, or "".
func (im *Importer) checkBody(body string) string {
	limit := im.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	switch {
	case strings.TrimSpace(body) == "":
		return "empty body"
	case len(body) > limit:
		return "body longer than " + strconv.Itoa(limit) + " bytes"
	case !utf8.ValidString(body):
		return "body is not valid UTF-8"
	case strings.IndexByte(body, 0) >= 0:
		return "body contains NUL bytes"
	}
	return ""
}

// sealed builds the message part of a record: its identity hash and its
// sealed sender and body.
func (im *Importer) sealed(m momo.Message, outcome momo.Outcome) (momo.MessageRecord, error) {
	// A rejected message hashes in a domain of its own: a damaged copy of
	// an SMS must not make the complete copy that comes later a duplicate.
	domain := "message"
	if outcome == momo.OutcomeRejected {
		domain = "rejected message"
	}
	rec := momo.MessageRecord{
		Hash:       im.Cipher.Hash(domain, m.Sender+"\x00"+smsparse.Normalize(m.Body)+"\x00"+stamp(m.ReceivedAt)),
		Source:     m.Source,
		ReceivedAt: m.ReceivedAt,
		Outcome:    outcome,
	}
	var err error
	if rec.Body, err = im.Cipher.Seal([]byte(m.Body)); err != nil {
		return rec, fmt.Errorf("ingest: seal body: %w", err)
	}
	if m.Sender != "" {
		if rec.Sender, err = im.Cipher.Seal([]byte(m.Sender)); err != nil {
			return rec, fmt.Errorf("ingest: seal sender: %w", err)
		}
	}
	return rec, nil
}

// transaction builds the stored form of what a template read. Messages that
// describe no transaction (adverts, one-time passwords) have none.
func (im *Importer) transaction(zone *time.Location, m momo.Message, tx momo.Transaction) (*momo.TransactionRecord, error) {
	if tx.Kind == momo.KindNotTransaction {
		return nil, nil
	}
	rec := &momo.TransactionRecord{
		DedupKey: im.dedupKey(m, tx),
		Operator: tx.Operator, Country: tx.Country, Currency: tx.Currency,
		Kind: tx.Kind, Direction: tx.Direction, Status: tx.Status,
		Amount: tx.Amount, Fee: tx.Fee, Tax: tx.Tax, Balance: tx.Balance,
		OperatorTxID: tx.TransactionID,
		Template:     tx.Template,
		Companion:    tx.Companion,
	}
	if !tx.OccurredAt.IsZero() {
		rec.OccurredAt = tx.OccurredAt.UTC()
	}
	rec.BookedAt = firstTime(rec.OccurredAt, m.ReceivedAt, im.now())
	rec.LocalDay = rec.BookedAt.In(localZone(zone, tx)).Format(time.DateOnly)

	var err error
	if tx.Counterparty != "" {
		if rec.Counterparty, err = im.Cipher.Seal([]byte(tx.Counterparty)); err != nil {
			return nil, fmt.Errorf("ingest: seal counterparty: %w", err)
		}
	}
	if tx.CounterpartyNumber != "" {
		if rec.CounterpartyNumber, err = im.Cipher.Seal([]byte(tx.CounterpartyNumber)); err != nil {
			return nil, fmt.Errorf("ingest: seal counterparty number: %w", err)
		}
	}
	rec.CounterpartyKey = CounterpartyKey(im.Cipher, tx.Counterparty, tx.CounterpartyNumber)
	return rec, nil
}

// CounterpartyKey is the keyed hash that groups a counterparty's
// transactions and names it in blocked, trusted and answered lists: over
// the name as written (in any case) and the number. Empty when the SMS
// names nobody.
func CounterpartyKey(c momo.Cipher, name, number string) string {
	if name == "" && number == "" {
		return ""
	}
	return c.Hash("counterparty", strings.ToLower(name)+"\x00"+number)
}

// dedupKey identifies the transaction a message describes, so that the
// same transaction reported twice (imported twice, forwarded twice, or
// through two channels) is stored once. In order of trust: the operator's
// own transaction id; a fingerprint that includes the balance after, so
// two genuine identical payments on one day stay two; a keyed hash of the
// normalised message and its receipt time.
func (im *Importer) dedupKey(m momo.Message, tx momo.Transaction) string {
	if tx.TransactionID != "" {
		return "id:" + im.Cipher.Hash("txid", tx.Operator+"\x00"+tx.Country+"\x00"+tx.TransactionID)
	}
	if tx.Balance.Known && !tx.OccurredAt.IsZero() {
		fp := strings.Join([]string{
			tx.Operator, tx.Country, string(tx.Kind), amount(tx.Amount), amount(tx.Balance),
			strconv.FormatInt(tx.OccurredAt.Unix(), 10), tx.CounterpartyNumber,
		}, "\x00")
		return "fp:" + im.Cipher.Hash("fingerprint", fp)
	}
	return "sms:" + im.Cipher.Hash("sms", smsparse.Normalize(m.Body)+"\x00"+stamp(m.ReceivedAt))
}

func (im *Importer) log() *slog.Logger {
	if im.Log != nil {
		return im.Log
	}
	return slog.Default()
}

// subscriberZone loads the subscriber's timezone once per import; nil
// means they chose none.
func subscriberZone(sub momo.Subscriber) (*time.Location, error) {
	if sub.Timezone == "" {
		return nil, nil
	}
	loc, err := time.LoadLocation(sub.Timezone)
	if err != nil {
		return nil, momo.E(momo.CodeConfig, "unknown timezone "+strconv.Quote(sub.Timezone), err)
	}
	return loc, nil
}

// localZone is the timezone a transaction's day is counted in: the
// subscriber's when they chose one, else the operator's, which is the time
// the SMS itself shows.
func localZone(zone *time.Location, tx momo.Transaction) *time.Location {
	if zone != nil {
		return zone
	}
	if tx.Location != nil {
		return tx.Location
	}
	return time.UTC
}

func firstTime(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t.UTC()
		}
	}
	return time.Time{}
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return strconv.FormatInt(t.UnixMilli(), 10)
}

func amount(a momo.Amount) string {
	if !a.Known {
		return "-"
	}
	return strconv.FormatInt(a.Minor, 10)
}
