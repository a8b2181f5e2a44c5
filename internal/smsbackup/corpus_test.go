package smsbackup_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/momoanalytics/momo/internal/corpus"
	"github.com/momoanalytics/momo/internal/smsbackup"
)

const (
	cleanFile   = "mtn-rwanda-sms-backup.xml"
	wrappedFile = "mtn-rwanda-sms-backup-wrapped.xml"
)

// corpusBytes reads a file of the shared corpus beside the repository (in
// place: it is never copied into the repository).
func corpusBytes(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(corpus.Path(tb, name))
	if err != nil {
		tb.Fatalf("read corpus: %v", err)
	}
	return data
}

// oracleSMS is what encoding/xml, an independent and strict reader, makes
// of the clean file's <sms> elements.
type oracleSMS struct {
	Address string `xml:"address,attr"`
	Body    string `xml:"body,attr"`
	Date    string `xml:"date,attr"`
	Type    string `xml:"type,attr"`
}

func oracle(t *testing.T, data []byte) []oracleSMS {
	t.Helper()
	var doc struct {
		SMS []oracleSMS `xml:"sms"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("encoding/xml cannot read the clean file: %v", err)
	}
	return doc.SMS
}

// key identifies a message by its date (ms) and body.
type key struct {
	date int64
	body string
}

// TestCleanCorpus requires every record of the clean export, undamaged and
// identical to what encoding/xml decodes.
func TestCleanCorpus(t *testing.T) {
	data := corpusBytes(t, cleanFile)
	want := oracle(t, data)
	r := smsbackup.NewReader(bytes.NewReader(data), smsbackup.Options{})
	recs := readReader(t, r)

	if len(recs) != 1691 || len(want) != 1691 {
		t.Fatalf("got %d records, oracle %d, want 1691", len(recs), len(want))
	}
	if got := r.DeclaredCount(); got != 1693 {
		t.Errorf("declared count %d, want 1693", got)
	}
	for i, rec := range recs {
		w := want[i]
		ms, _ := strconv.ParseInt(w.Date, 10, 64)
		ok := rec.Element == "sms" && rec.Index == i+1 && rec.Line == i+3 && rec.Damage == "" &&
			rec.Type == 1 && rec.Address == "M-Money" && w.Address == rec.Address &&
			rec.Body == w.Body && rec.Date.UnixMilli() == ms
		if !ok {
			t.Errorf("record %d: %+v\nwant body %q date %s", i+1, rec, w.Body, w.Date)
		}
	}
}

// readReader reads r to a clean end.
func readReader(t *testing.T, r *smsbackup.Reader) []smsbackup.Record {
	t.Helper()
	var recs []smsbackup.Record
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return recs
		}
		if err != nil {
			t.Fatalf("after %d records: %v", len(recs), err)
		}
		recs = append(recs, rec)
	}
}

// wrappedFloor is the number of records of the wrapped copy whose date and
// body come out exactly as in the clean file (1633 of 1699 when written).
// The other 66 are messages with a double space that the PDF step turned
// into a single one; that information is gone from the file.
const wrappedFloor = 1633

// TestWrappedCorpus reads the copy that went through a PDF and measures how
// much of the clean data comes back.
func TestWrappedCorpus(t *testing.T) {
	clean := cleanKeys(t)
	recs, err := readAll(t, bytes.NewReader(corpusBytes(t, wrappedFile)), smsbackup.Options{})
	if err != io.EOF {
		t.Fatalf("ended with %v", err)
	}

	exact, recovered := 0, map[key]bool{}
	for _, rec := range recs {
		k := key{rec.Date.UnixMilli(), rec.Body}
		if clean[k] {
			exact++
			recovered[k] = true
		}
	}
	t.Logf("wrapped: %d records, %d exactly as in the clean file, %d of %d clean records recovered exactly",
		len(recs), exact, len(recovered), len(clean))
	if len(recs) != 1699 {
		t.Errorf("got %d records, want the 1699 element starts", len(recs))
	}
	if exact < wrappedFloor {
		t.Errorf("%d records exact, want at least %d", exact, wrappedFloor)
	}
}

// TestWrappedCorpusComplete checks that the wrapped copy yields every clean
// message it contains, that what differs is only the whitespace the PDF
// collapsed, and that the one spliced element is reported by position.
func TestWrappedCorpusComplete(t *testing.T) {
	byDate := map[int64]string{}
	for k := range cleanKeys(t) {
		byDate[k.date] = k.body
	}
	recs, _ := readAll(t, bytes.NewReader(corpusBytes(t, wrappedFile)), smsbackup.Options{})

	var damaged []string
	found := map[int64]bool{}
	for _, rec := range recs {
		body, ok := byDate[rec.Date.UnixMilli()]
		if !ok || collapse(body) != collapse(rec.Body) {
			t.Errorf("record %d (line %d) matches no clean message", rec.Index, rec.Line)
		}
		found[rec.Date.UnixMilli()] = true
		if rec.Damage != "" {
			damaged = append(damaged, rec.Position()+": "+rec.Damage)
		}
	}

	if len(found) != len(byDate) {
		t.Errorf("%d clean messages missing from the wrapped file", len(byDate)-len(found))
	}
	// Element 16 (line 115) is the head of one message glued to the tail of
	// another; its date and body are still right, as checked above.
	want := []string{"record 16 (line 115): readable_date is not the time in date (parts of two elements spliced?)"}
	if !reflect.DeepEqual(damaged, want) {
		t.Errorf("damaged %q, want %q", damaged, want)
	}
}

// TestWrappedCorpusByteAtATime checks that buffer boundaries change
// nothing: the wrapped file read one byte per Read gives the same records.
func TestWrappedCorpusByteAtATime(t *testing.T) {
	data := corpusBytes(t, wrappedFile)
	whole, _ := readAll(t, bytes.NewReader(data), smsbackup.Options{})
	bytewise, _ := readAll(t, iotest.OneByteReader(bytes.NewReader(data)), smsbackup.Options{})
	if !reflect.DeepEqual(whole, bytewise) {
		t.Errorf("records differ when read one byte at a time")
	}
}

// cleanKeys returns the (date, body) of every clean message, from the
// encoding/xml oracle.
func cleanKeys(t *testing.T) map[key]bool {
	t.Helper()
	keys := map[key]bool{}
	for _, s := range oracle(t, corpusBytes(t, cleanFile)) {
		ms, err := strconv.ParseInt(s.Date, 10, 64)
		if err != nil {
			t.Fatalf("clean date %q: %v", s.Date, err)
		}
		keys[key{ms, s.Body}] = true
	}
	return keys
}

// collapse reduces runs of spaces to one, the loss the PDF step caused.
func collapse(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
