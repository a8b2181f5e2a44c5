package smsbackup

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/momoanalytics/momo"
)

// Record is one <sms> or <mms> element.
type Record struct {
	Element      string    // "sms" or "mms"
	Index        int       // 1-based ordinal of the element start in the file
	Line         int       // 1-based line where the element starts
	Address      string    // address attribute (sender for received SMS)
	Body         string    // body attribute, entities decoded, surrogate pairs combined
	Date         time.Time // from `date` (ms since epoch), UTC; zero if absent/unparseable
	Type         int       // `type` attribute (1 received, 2 sent, ...); 0 if absent
	ContactName  string
	ReadableDate string
	// Damage is non-empty when the element could not be fully recovered; it
	// says what is wrong in words and never contains message text. A damaged
	// record may still carry the fields that were recovered.
	Damage string
}

// Position locates the record for reports, in the form momo.Message uses.
func (rec Record) Position() string {
	return fmt.Sprintf("record %d (line %d)", rec.Index, rec.Line)
}

// DefaultMaxElementBytes is the element size limit when Options leaves it 0.
// The longest SMS the app stores is a few kilobytes even as references; 4
// MiB leaves room for odd files while bounding what one element can cost.
const DefaultMaxElementBytes = 4 << 20

// Options bounds what a Reader accepts.
type Options struct {
	// MaxElementBytes is the largest single element accepted (default 4
	// MiB). A larger one is skipped and reported as a damaged Record. For
	// <mms> it bounds the start tag; the nested parts are skipped without
	// being held, however large.
	MaxElementBytes int
	// MaxFileBytes is the largest input accepted; 0 means unlimited. Beyond
	// it Next returns an error wrapping ErrFileTooLarge.
	MaxFileBytes int64
}

// ErrTruncated is the cause of the error Next returns when the input stops
// before </smses>. The records read until then are sound (a cut-off last
// element has already been returned as a damaged Record), so a caller may
// keep them and report the truncation.
var ErrTruncated = errors.New("input ends early")

// ErrFileTooLarge is the cause of the error Next returns when the input is
// longer than Options.MaxFileBytes.
var ErrFileTooLarge = errors.New("input exceeds the size limit")

// Reader reads the records of an SMS Backup & Restore export one at a time.
// It holds at most one element in memory. It is not safe for concurrent use.
type Reader struct {
	s        *scanner
	opt      Options
	declared int   // the root's count attribute, -1 when absent
	index    int   // element starts seen so far
	started  bool  // the prolog and root tag have been read
	err      error // sticky: io.EOF or the error that ended reading

	// pending is set when a scan consumed a '<' that starts the next piece
	// of markup (a page-break splice cut the current one short).
	pending     bool
	pendingLine int

	tag  []byte // raw bytes of the current start tag, reused
	text []byte // scratch for decoding values, reused
}

// NewReader returns a Reader of r. Reading starts at the first Next.
func NewReader(r io.Reader, opt Options) *Reader {
	if opt.MaxElementBytes <= 0 {
		opt.MaxElementBytes = DefaultMaxElementBytes
	}
	if opt.MaxFileBytes > 0 {
		r = &capReader{r: r, left: opt.MaxFileBytes}
	}
	return &Reader{s: newScanner(r), opt: opt, declared: -1}
}

// DeclaredCount returns the root's count attribute, or -1 if it is absent
// or unreadable or the root has not been read yet. The app counts sms and
// mms together and the file may hold fewer (the clean corpus declares 1693
// and holds 1691), so treat it as a hint.
func (r *Reader) DeclaredCount() int { return r.declared }

// Next returns the next record, io.EOF after </smses>, or an error that
// ends reading. Errors about the input wrap a *momo.Error with
// momo.CodeInvalid and a one-line message safe to show; errors.Is tells
// ErrTruncated and ErrFileTooLarge apart. A failing underlying reader is
// returned wrapped as it is. After an error Next keeps returning it.
func (r *Reader) Next() (Record, error) {
	if r.err != nil {
		return Record{}, r.err
	}

	if !r.started {
		r.started = true
		if err := r.readProlog(); err != nil {
			r.err = err
			return Record{}, err
		}
	}

	rec, err := r.nextRecord()
	if err != nil {
		r.err = err
	}
	return rec, err
}

// nextRecord scans markup until it has a record or reaches the end.
func (r *Reader) nextRecord() (Record, error) {
	for {
		line, ok := r.openMarkup()
		if !ok {
			return Record{}, r.endOfInput()
		}

		switch m := r.classify(); m {
		case markSMS, markMMS:
			return r.readRecord(m, line)
		case markRootEnd:
			return Record{}, io.EOF // what follows </smses> is not read
		case markBang:
			if err := r.skipBang(); err != nil {
				return Record{}, err
			}
		case markPI:
			r.s.skipPast("?>")
		case markTag:
			r.skipTag()
		}
	}
}

// openMarkup consumes input up to and including the next '<' and returns
// its line. Text between elements (white space, or the debris of a page
// break) is skipped.
func (r *Reader) openMarkup() (int, bool) {
	if r.pending {
		r.pending = false
		return r.pendingLine, true
	}
	res := r.s.scan(stopAtLT, nil, 0)
	return r.s.line, res.ok
}

// endOfInput explains why the input ended before </smses>.
func (r *Reader) endOfInput() error {
	if err := r.readError(); err != nil {
		return err
	}
	if r.index == 0 {
		return truncated("file is truncated: it ends before any record")
	}
	return truncated(fmt.Sprintf("file is truncated after record %d", r.index))
}

// readError turns a failure of the underlying reader into the error Next
// returns, or nil if there was none.
func (r *Reader) readError() error {
	switch err := r.s.err; {
	case err == nil:
		return nil
	case errors.Is(err, ErrFileTooLarge):
		msg := fmt.Sprintf("file is larger than the limit of %d bytes", r.opt.MaxFileBytes)
		return fmt.Errorf("smsbackup: %w", momo.E(momo.CodeInvalid, msg, ErrFileTooLarge))
	default:
		return fmt.Errorf("smsbackup: reading line %d: %w", r.s.line, err)
	}
}

// invalid is the error for input that is not an SMS backup we can read.
func invalid(msg string) error {
	return fmt.Errorf("smsbackup: %w", momo.E(momo.CodeInvalid, msg, nil))
}

func truncated(msg string) error {
	return fmt.Errorf("smsbackup: %w", momo.E(momo.CodeInvalid, msg, ErrTruncated))
}

// capReader passes at most left bytes and fails if the input goes on. It
// reads one byte past the limit to tell "exactly at the limit" from "over".
type capReader struct {
	r    io.Reader
	left int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	if int64(n) > c.left {
		n, c.left = int(c.left), 0
		return n, ErrFileTooLarge
	}
	c.left -= int64(n)
	return n, err
}
