package smsbackup_test

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/smsbackup"
)

// damageSentence matches every sentence a damage report may hold. Anything
// else would mean text from the file leaked into it.
var damageSentence = regexp.MustCompile(`^(` + strings.Join([]string{
	`element is cut off by the start of other markup on line \d+`,
	`element is cut off by the end of the file`,
	`element is larger than the limit of \d+ bytes and was skipped`,
	`text inside the element is not an attribute`,
	`an attribute value is not properly quoted`,
	`attribute [a-z_]+ appears twice \(parts of two elements spliced\?\)`,
	`date is not a number of milliseconds`,
	`type is not a number`,
	`no (address|date|body) attribute`,
	`readable_date is not the time in date \(parts of two elements spliced\?\)`,
	`mms element is not closed before other markup on line \d+`,
}, "|") + `)$`)

// FuzzReader feeds arbitrary bytes to the reader. It must not panic or
// loop, Index and Line must grow, damage reports must be our own
// sentences, errors must be classified, and reading one byte per Read must
// give the same result as reading in bulk.
func FuzzReader(f *testing.F) {
	seeds := []string{
		"",
		"not xml",
		"\xff\xfe<\x00",
		"\xef\xbb\xbf<smses/>",
		`<?xml version="1.0" encoding="ISO-8859-1"?><smses/>`,
		`<!DOCTYPE x [<!ENTITY a "b">]><smses/>`,
		backup(`<sms address="M-Money" date="1715351458724" type="1" body="a &lt; &#55357;&#56832; &foo;" readable_date="10 May 2024 4:30:58 PM"/>`),
		backup("<sms address=\"M\" date=\"17153\r\n51458724\" body=\"at 2024-\r\n05-12 x\r\ny\" sc_toa=\"null\"read=\"1\"/>"),
		backup(`<sms address="M" date="1" <sms address="M" date="2" body="x"/>`),
		backup(`<mms date="1"><parts><part text="x &gt; y"/></parts></mms>`, `<sms body="z"/>`),
		backup(`<!-- c --><?pi x?><![CDATA[<sms/>]]><x a='"'>`),
		`<smses><sms body="cut`,
		`<smses><mms><parts>`,
	}
	for _, s := range seeds {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}

	f.Fuzz(func(t *testing.T, data []byte, small bool) {
		opt := smsbackup.Options{}
		if small {
			opt.MaxElementBytes = 16
		}
		recs, err := fuzzRead(t, bytes.NewReader(data), opt, len(data))
		checkFuzzRecords(t, recs)
		if err != io.EOF && momo.ErrorCode(err) != momo.CodeInvalid {
			t.Fatalf("unclassified error: %v", err)
		}

		slow, slowErr := fuzzRead(t, iotest.OneByteReader(bytes.NewReader(data)), opt, len(data))
		if len(slow) != len(recs) || slowErr.Error() != err.Error() {
			t.Fatalf("byte-at-a-time read differs: %d records (%v) vs %d (%v)", len(slow), slowErr, len(recs), err)
		}
		for i := range recs {
			if recs[i] != slow[i] {
				t.Fatalf("record %d differs byte-at-a-time:\n%+v\n%+v", i, recs[i], slow[i])
			}
		}
	})
}

// fuzzRead reads to the end, failing if there are more records than bytes
// (a sign of a loop that does not consume input).
func fuzzRead(t *testing.T, r io.Reader, opt smsbackup.Options, size int) ([]smsbackup.Record, error) {
	br := smsbackup.NewReader(r, opt)
	var recs []smsbackup.Record
	for {
		rec, err := br.Next()
		if err != nil {
			if _, again := br.Next(); again != err {
				t.Fatalf("error not sticky: %v then %v", err, again)
			}
			return recs, err
		}
		recs = append(recs, rec)
		if len(recs) > size {
			t.Fatalf("%d records from %d bytes", len(recs), size)
		}
	}
}

func checkFuzzRecords(t *testing.T, recs []smsbackup.Record) {
	for i, rec := range recs {
		if i > 0 && (rec.Index <= recs[i-1].Index || rec.Line < recs[i-1].Line) {
			t.Fatalf("record %d: index %d line %d after index %d line %d",
				i, rec.Index, rec.Line, recs[i-1].Index, recs[i-1].Line)
		}
		if rec.Index < 1 || rec.Line < 1 || (rec.Element != "sms" && rec.Element != "mms") {
			t.Fatalf("record %d: %+v", i, rec)
		}
		checkDamage(t, rec.Damage)
	}
}

func checkDamage(t *testing.T, d string) {
	if d == "" {
		return
	}
	for _, s := range strings.Split(d, "; ") {
		if !damageSentence.MatchString(s) {
			t.Fatalf("damage sentence %q is not one of ours", s)
		}
	}
}
