package smsbackup_test

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/smsbackup"
)

// backup wraps element snippets in the declaration and root the app writes.
func backup(elements ...string) string {
	return "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"1\">\n" +
		strings.Join(elements, "\n") + "\n</smses>"
}

// readAll reads every record and returns them with the error that ended
// the reading (io.EOF for a clean end).
func readAll(t *testing.T, r io.Reader, opt smsbackup.Options) ([]smsbackup.Record, error) {
	t.Helper()
	br := smsbackup.NewReader(r, opt)
	var recs []smsbackup.Record
	for {
		rec, err := br.Next()
		if err != nil {
			if again, _ := br.Next(); again != (smsbackup.Record{}) {
				t.Errorf("Next after %v returned a record", err)
			}
			return recs, err
		}
		recs = append(recs, rec)
	}
}

// TestNextEnds covers how reading ends: refused and foreign input, the
// byte-order and encoding checks, truncation and the size limit.
func TestNextEnds(t *testing.T) {
	sms := `<sms address="M" date="1" body="hi" />`
	tests := []struct {
		name      string
		in        string
		opt       smsbackup.Options
		records   int    // records returned before the end
		damaged   []int  // Index of the records reported damaged
		errText   string // "" means a clean io.EOF
		truncated bool   // the error wraps ErrTruncated
	}{
		{name: "empty", in: "", errText: "empty file"},
		{name: "only white space", in: " \r\n\t", errText: "empty file"},
		{name: "plain text", in: "You have received 2000 RWF", errText: "not XML"},
		{name: "JSON", in: `{"body":"<sms/>"}`, errText: "not XML"},
		{name: "other XML root", in: `<?xml version="1.0"?><rss><sms body="x"/></rss>`, errText: "not an SMS Backup & Restore file"},
		{name: "declaration only", in: `<?xml version="1.0"?>`, errText: "not an SMS Backup & Restore file"},
		{name: "text before root", in: `<?xml version="1.0"?>junk<smses>`, errText: "not an SMS Backup & Restore file"},
		{name: "records without root", in: sms, errText: "not an SMS Backup & Restore file"},
		{name: "doctype", in: `<?xml version="1.0"?><!DOCTYPE smses><smses></smses>`, errText: "refused"},
		{name: "internal entity", in: `<!DOCTYPE smses [<!ENTITY a "aaaa">]><smses><sms body="&a;"/></smses>`, errText: "refused"},
		{name: "lower-case doctype", in: `<!doctype smses><smses></smses>`, errText: "refused"},
		{name: "entity inside root", in: backup(sms, `<!ENTITY a "b">`, sms), records: 1, errText: "refused"},
		{name: "entity inside mms", in: backup(`<mms date="1"><!ENTITY a "b"></mms>`, sms), records: 0, errText: "refused"},
		{name: "encoding UTF-16", in: `<?xml version="1.0" encoding="UTF-16"?><smses/>`, errText: `encoding "UTF-16"`},
		{name: "encoding Latin-1", in: `<?xml version='1.0' encoding='ISO-8859-1'?><smses/>`, errText: `encoding "ISO-8859-1"`},
		{name: "encoding name sanitised", in: `<?xml version="1.0" encoding="<b>x y"?><smses/>`, errText: `encoding "bxy"`},
		{name: "UTF-16 LE byte-order mark", in: "\xff\xfe<\x00s\x00", errText: "UTF-16 byte-order mark"},
		{name: "UTF-16 BE byte-order mark", in: "\xfe\xff\x00<\x00s", errText: "UTF-16 byte-order mark"},
		{name: "UTF-16 without mark", in: "<\x00?\x00x\x00", errText: "looks like UTF-16"},
		{name: "UTF-8 byte-order mark", in: "\xef\xbb\xbf" + backup(sms), records: 1},
		{name: "encoding utf-8 any case", in: `<?xml version="1.0" encoding="Utf-8"?><smses>` + sms + `</smses>`, records: 1},
		{name: "no declaration", in: `<smses>` + sms + `</smses>`, records: 1},
		{name: "comment before root", in: `<!-- made by hand --><smses>` + sms + `</smses>`, records: 1},
		{name: "empty root", in: `<?xml version="1.0"?><smses count="0"/>`},
		{name: "truncated in root tag", in: `<smses count="3"`, errText: "inside the <smses> tag", truncated: true},
		{name: "truncated before any record", in: `<smses count="3">`, errText: "before any record", truncated: true},
		{name: "truncated between records", in: `<smses>` + sms + "\n  ", records: 1, errText: "truncated after record 1", truncated: true},
		{name: "truncated in a record", in: `<smses>` + sms + `<sms address="M" body="cut`, records: 2, damaged: []int{2}, errText: "ends inside record 2", truncated: true},
		{name: "truncated after element name", in: `<smses>` + sms + `<sms`, records: 2, damaged: []int{2}, errText: "ends inside record 2", truncated: true},
		{name: "truncated in mms parts", in: `<smses><mms date="1"><parts><part text="x"/>`, records: 1, damaged: []int{1}, errText: "ends inside record 1", truncated: true},
		{name: "truncated in a comment", in: `<smses>` + sms + `<!-- note`, records: 1, errText: "truncated after record 1", truncated: true},
		{name: "file over limit", in: backup(sms, sms, sms), opt: smsbackup.Options{MaxFileBytes: 150}, records: 1, errText: "larger than the limit of 150 bytes"},
		{name: "file at limit", in: backup(sms), opt: smsbackup.Options{MaxFileBytes: int64(len(backup(sms)))}, records: 1},
		{name: "content after root end ignored", in: backup(sms) + "<sms body='late'/>", records: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := readAll(t, strings.NewReader(tt.in), tt.opt)

			if len(recs) != tt.records {
				t.Errorf("got %d records, want %d", len(recs), tt.records)
			}
			if got := damagedIndexes(recs); !equalInts(got, tt.damaged) {
				t.Errorf("damaged records %v, want %v", got, tt.damaged)
			}
			checkEnd(t, err, tt.errText, tt.truncated)
		})
	}
}

// checkEnd checks the error that ended reading: io.EOF when errText is
// empty, otherwise an invalid-input error with a safe one-line message.
func checkEnd(t *testing.T, err error, errText string, truncated bool) {
	t.Helper()
	if errText == "" {
		if err != io.EOF {
			t.Fatalf("ended with %v, want io.EOF", err)
		}
		return
	}
	if err == nil || err == io.EOF {
		t.Fatalf("ended with %v, want an error containing %q", err, errText)
	}
	if code := momo.ErrorCode(err); code != momo.CodeInvalid {
		t.Errorf("code %q, want %q (%v)", code, momo.CodeInvalid, err)
	}
	msg := momo.ErrorMessage(err)
	if !strings.Contains(msg, errText) || strings.Contains(msg, "\n") {
		t.Errorf("message %q, want one line containing %q", msg, errText)
	}
	if got := errors.Is(err, smsbackup.ErrTruncated); got != truncated {
		t.Errorf("errors.Is(err, ErrTruncated) = %v, want %v", got, truncated)
	}
}

func damagedIndexes(recs []smsbackup.Record) []int {
	var idx []int
	for _, rec := range recs {
		if rec.Damage != "" {
			idx = append(idx, rec.Index)
		}
	}
	return idx
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestFileTooLarge checks that the size limit is told apart by errors.Is.
func TestFileTooLarge(t *testing.T) {
	in := backup(strings.Repeat(`<sms body="x"/>`, 100))
	_, err := readAll(t, strings.NewReader(in), smsbackup.Options{MaxFileBytes: 100})
	if !errors.Is(err, smsbackup.ErrFileTooLarge) {
		t.Fatalf("got %v, want ErrFileTooLarge", err)
	}
}

// TestReadFailure checks that a failing source is passed on, not dressed
// up as invalid input.
func TestReadFailure(t *testing.T) {
	disk := errors.New("disk on fire")
	tests := []struct {
		name    string
		in      io.Reader
		records int
	}{
		{"at once", iotest.ErrReader(disk), 0},
		{"mid-file", io.MultiReader(strings.NewReader(`<smses><sms body="a"/>`), iotest.ErrReader(disk)), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := readAll(t, tt.in, smsbackup.Options{})
			if !errors.Is(err, disk) || momo.ErrorCode(err) == momo.CodeInvalid {
				t.Errorf("got %v, want the read error unclassified", err)
			}
			if len(recs) != tt.records {
				t.Errorf("got %d records, want %d", len(recs), tt.records)
			}
		})
	}
}

// TestDirectory reads from a directory opened by mistake: the caller
// should not get that far, but if it does the read error comes back.
func TestDirectory(t *testing.T) {
	dir, err := os.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()

	recs, err := readAll(t, dir, smsbackup.Options{})
	if len(recs) != 0 || err == nil || err == io.EOF || momo.ErrorCode(err) == momo.CodeInvalid {
		t.Errorf("got %d records and %v, want a read error", len(recs), err)
	}
}

// TestRecordFields covers what one element decodes to.
func TestRecordFields(t *testing.T) {
	date := time.Date(2024, 5, 10, 14, 30, 58, 724e6, time.UTC)
	full := `<sms protocol="0" address="M-Money" date="1715351458724" type="1" subject="null"` +
		` body="You have received 2000 RWF." toa="null" sc_toa="null" service_center="+250788110381"` +
		` read="1" status="-1" locked="0" date_sent="1715351451000" sub_id="6"` +
		` readable_date="10 May 2024 4:30:58 PM" contact_name="(Unknown)" />`
	tests := []struct {
		name string
		el   string
		want smsbackup.Record
	}{
		{"all fields", full, smsbackup.Record{Address: "M-Money", Body: "You have received 2000 RWF.",
			Date: date, Type: 1, ContactName: "(Unknown)", ReadableDate: "10 May 2024 4:30:58 PM"}},
		{"predefined entities", body(`a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;`), rec(`a <b> & "c" 'd'`)},
		{"decimal and hex references", body(`&#65;&#x42;&#X43;&#0000068;&#10;E`), rec("ABCD\nE")},
		{"surrogate pair", body(`smile &#55357;&#56832;!`), rec("smile \U0001F600!")},
		{"hex surrogate pair", body(`&#xD83D;&#xDE00;`), rec("\U0001F600")},
		{"two pairs in a row", body(`&#55357;&#56832;&#55357;&#56833;`), rec("\U0001F600\U0001F601")},
		{"lone high surrogate", body(`a&#55357;b`), rec("a\uFFFDb")},
		{"lone low surrogate", body(`a&#56832;b`), rec("a\uFFFDb")},
		{"high then not low", body(`&#55357;&#65;`), rec("\uFFFDA")},
		{"reference to NUL", body(`a&#0;b`), rec("a\uFFFDb")},
		{"reference beyond Unicode", body(`a&#99999999999999;b`), rec("a\uFFFDb")},
		{"unknown entity kept", body(`&foo; &nbsp;`), rec("&foo; &nbsp;")},
		{"malformed references kept", body(`& &# &#; &#x; &#12 &#xZZ; &amp`), rec("& &# &#; &#x; &#12 &#xZZ; &amp")},
		{"double escape decoded once", body(`&amp;lt;`), rec("&lt;")},
		{"invalid UTF-8 passed through", body("\xff\xfe ok \xc3"), rec("\xff\xfe ok \xc3")},
		{"multi-byte UTF-8", body("Murakoze cyane – ñ ü 😀"), rec("Murakoze cyane – ñ ü 😀")},
		{"glued attributes", `<sms address="M"sc_toa="null"read="1"date="1715351458724"body="x"type="2"/>`,
			smsbackup.Record{Address: "M", Body: "x", Date: date, Type: 2}},
		{"single quotes and > in a value", `<sms address='M' date='1715351458724' body='a > b "q"'/>`,
			smsbackup.Record{Address: "M", Body: `a > b "q"`, Date: date}},
		{"open and close form", `<sms address="M" date="1715351458724" body="x"></sms>`,
			smsbackup.Record{Address: "M", Body: "x", Date: date}},
		{"null and empty type", `<sms address="M" date="1715351458724" body="" type="null"/>`,
			smsbackup.Record{Address: "M", Date: date}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := readAll(t, strings.NewReader(backup(tt.el)), smsbackup.Options{})
			if err != io.EOF || len(recs) != 1 {
				t.Fatalf("got %d records and %v, want 1 and io.EOF", len(recs), err)
			}
			want := tt.want
			want.Element, want.Index, want.Line = "sms", 1, 3
			if recs[0] != want {
				t.Errorf("\nhave %+v\nwant %+v", recs[0], want)
			}
		})
	}
}

// body returns a sound <sms> whose body attribute is raw.
func body(raw string) string {
	return `<sms address="M" date="1715351458724" body="` + raw + `"/>`
}

// rec is the record that body(raw) decodes to, given its decoded text.
func rec(text string) smsbackup.Record {
	return smsbackup.Record{Address: "M", Body: text, Date: time.UnixMilli(1715351458724).UTC()}
}

// TestWrappedValues covers line breaks inside values, as left by
// re-wrapping the file through a PDF.
func TestWrappedValues(t *testing.T) {
	tests := []struct {
		name, el, body, readable string
		date                     int64
	}{
		{"CRLF becomes a space", "body=\"on your mobile\r\nmoney account\"", "on your mobile money account", "", 0},
		{"LF and lone CR too", "body=\"a\nb\rc\"", "a b c", "", 0},
		{"split date in text rejoined", "body=\"at 2024-\r\n05-12 20:49:30 .\"", "at 2024-05-12 20:49:30 .", "", 0},
		{"split hyphenated word rejoined", "body=\"M-\r\nMoney\"", "M-Money", "", 0},
		{"lone dash keeps its space", "body=\"Message: -\r\n-. *EN#\"", "Message: - -. *EN#", "", 0},
		{"break after dash and space", "body=\"a -\r\nb\"", "a - b", "", 0},
		{"blank line is one break", "body=\"a\r\n\r\nb\"", "a b", "", 0},
		{"&#10; is a real line break", "body=\"a&#10;b\r\nc\"", "a\nb c", "", 0},
		{"split timestamp attribute", "date=\"17153\r\n51458724\"", "", "", 1715351458724},
		{"readable date", "readable_date=\"10 May 2024 4:30:58\r\nPM\"", "", "10 May 2024 4:30:58 PM", 0},
		{"break between attributes", "body=\"x\"\r\ndate=\"1715351458724\"", "x", "", 1715351458724},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := readAll(t, strings.NewReader(backup(`<sms `+tt.el+`/>`)), smsbackup.Options{})
			if err != io.EOF || len(recs) != 1 {
				t.Fatalf("got %d records and %v, want 1 and io.EOF", len(recs), err)
			}
			got := recs[0]
			if got.Body != tt.body || got.ReadableDate != tt.readable {
				t.Errorf("body %q readable %q, want %q and %q", got.Body, got.ReadableDate, tt.body, tt.readable)
			}
			if tt.date != 0 && got.Date.UnixMilli() != tt.date {
				t.Errorf("date %v, want %d", got.Date, tt.date)
			}
		})
	}
}

// secret is message text that must never appear in a damage report.
const secret = "SECRETPIN4321"

// TestDamage covers elements that are reported damaged, and checks that
// the next element is read intact and that no message text leaks.
func TestDamage(t *testing.T) {
	good := `<sms address="M" date="1715351458724" body="next one" />`
	tests := []struct {
		name   string
		els    []string
		damage string // text the first record's Damage must contain
	}{
		{"cut by a repeated start", []string{`<sms address="M" date="17153`}, "cut off by the start of other markup on line 4"},
		{"cut inside the body", []string{`<sms address="M" body="` + secret + "\r\nPage 12 of 40\r\n"}, "cut off by the start of other markup on line 6"},
		{"attribute repeated", []string{`<sms address="M" date="1715351458724" body="` + secret + `" body="other"/>`}, "attribute body appears twice"},
		{"stray text", []string{`<sms address="M" date="1715351458724" body="x" Page 3 ` + secret + `/>`}, "not an attribute"},
		{"unquoted value", []string{`<sms address="M" date="1715351458724" body=` + secret + `/>`}, "not properly quoted"},
		{"bad date", []string{`<sms address="M" date="17153` + secret + `" body="x"/>`}, "date is not a number"},
		{"bad type", []string{`<sms address="M" date="1715351458724" type="` + secret + `" body="x"/>`}, "type is not a number"},
		{"no body", []string{`<sms address="M" date="1715351458724"/>`}, "no body attribute"},
		{"no date", []string{`<sms address="M" body="` + secret + `"/>`}, "no date attribute"},
		{"readable date of another message", []string{`<sms address="M" date="1715351458724" body="` + secret +
			`" readable_date="12 May 2024 11:41:35 AM"/>`}, "readable_date is not the time in date"},
		{"mms not closed", []string{`<mms date="1715351458724" address="+250788000000"><parts><part text="` + secret + `"/>`}, "mms element is not closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := readAll(t, strings.NewReader(backup(append(tt.els, good)...)), smsbackup.Options{})
			if err != io.EOF || len(recs) != 2 {
				t.Fatalf("got %d records and %v, want 2 and io.EOF", len(recs), err)
			}
			if d := recs[0].Damage; !strings.Contains(d, tt.damage) || strings.Contains(d, secret) {
				t.Errorf("damage %q, want it to contain %q and no message text", d, tt.damage)
			}
			if recs[1].Damage != "" || recs[1].Body != "next one" || recs[1].Index != 2 {
				t.Errorf("next record %+v, want it intact with Index 2", recs[1])
			}
		})
	}
}

// TestReadableDateZones accepts readable dates from any whole-quarter-hour
// time zone, so real exports from anywhere are not flagged.
func TestReadableDateZones(t *testing.T) {
	tests := []struct{ readable, damage string }{
		{"10 May 2024 2:30:58 PM", ""},  // UTC
		{"10 May 2024 4:30:58 PM", ""},  // Kigali, UTC+2
		{"10 May 2024 8:15:58 PM", ""},  // Kathmandu, UTC+5:45
		{"10 May 2024 4:30:58 AM", ""},  // Honolulu, UTC-10
		{"May 10, 2024 4:30:58 PM", ""}, // US English form
		{"10. Mai 2024 16:30:58", ""},   // a form we do not parse is not checked
		{"10 May 2024 4:31:58 PM", "readable_date"},
		{"12 May 2024 4:30:58 PM", "readable_date"},
	}
	for _, tt := range tests {
		t.Run(tt.readable, func(t *testing.T) {
			el := `<sms address="M" date="1715351458724" body="x" readable_date="` + tt.readable + `"/>`
			recs, _ := readAll(t, strings.NewReader(backup(el)), smsbackup.Options{})
			if len(recs) != 1 || !strings.Contains(recs[0].Damage, tt.damage) || (tt.damage == "") != (recs[0].Damage == "") {
				t.Errorf("got %+v, want damage %q", recs, tt.damage)
			}
		})
	}
}

// TestMarkupBetweenRecords checks that MMS, comments, processing
// instructions, unknown elements and page-break debris are stepped over.
func TestMarkupBetweenRecords(t *testing.T) {
	in := backup(
		`<sms address="A" date="1" body="one"/>`,
		`<!-- a <sms body="in a comment"/> -->`,
		`<?app hint="<sms body='in a PI'/>"?>`,
		`<mms date="1715351458724" address="+250788000000~+250788000001" msg_box="1">`,
		`  <parts><part seq="0" ct="text/plain" text="a &gt; b &lt;c&gt;" data="`+strings.Repeat("QUJD", 5000)+`"/></parts>`,
		`  <addrs><addr address="+250788000000" type="137"/></addrs>`,
		`</mms>`,
		`Page 2 of 9 -- debris > "with a quote`,
		`<unknown attr="x"><![CDATA[<sms body="in CDATA"/>]]></unknown>`,
		`<sms address="B" date="2" body="two"/>`,
	)
	recs, err := readAll(t, strings.NewReader(in), smsbackup.Options{MaxElementBytes: 1024})
	if err != io.EOF {
		t.Fatalf("ended with %v", err)
	}

	want := []struct {
		element, address, body string
		index                  int
	}{{"sms", "A", "one", 1}, {"mms", "+250788000000~+250788000001", "", 2}, {"sms", "B", "two", 3}}
	if len(recs) != len(want) {
		t.Fatalf("got %d records %+v, want %d", len(recs), recs, len(want))
	}
	for i, w := range want {
		r := recs[i]
		if r.Element != w.element || r.Address != w.address || r.Body != w.body || r.Index != w.index || r.Damage != "" {
			t.Errorf("record %d = %+v, want %+v", i, r, w)
		}
	}
}

// TestLargeBody delivers a 100 KB body intact.
func TestLargeBody(t *testing.T) {
	text := strings.Repeat("Your payment of 1,000 RWF – ñ 😀 ", 100<<10/36)
	raw := strings.ReplaceAll(text, "😀", "&#55357;&#56832;")
	in := backup(body(raw), body("after"))

	recs, err := readAll(t, strings.NewReader(in), smsbackup.Options{})
	if err != io.EOF || len(recs) != 2 {
		t.Fatalf("got %d records and %v", len(recs), err)
	}
	if recs[0].Body != text || recs[0].Damage != "" {
		t.Errorf("body of %d bytes came back as %d bytes, damage %q", len(text), len(recs[0].Body), recs[0].Damage)
	}
}

// TestMaxElementBytes skips an oversized element as damaged and goes on.
func TestMaxElementBytes(t *testing.T) {
	big := body(strings.Repeat("x", 5000))
	tests := []struct {
		name string
		el   string
	}{
		{"sms over the limit", big},
		{"mms start tag over the limit", `<mms date="1" address="` + strings.Repeat("9", 5000) + `"><parts/></mms>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := backup(body("before"), tt.el, body("after"))
			recs, err := readAll(t, strings.NewReader(in), smsbackup.Options{MaxElementBytes: 1024})
			if err != io.EOF || len(recs) != 3 {
				t.Fatalf("got %d records and %v", len(recs), err)
			}
			if d := recs[1].Damage; !strings.Contains(d, "larger than the limit of 1024 bytes") || recs[1].Body != "" {
				t.Errorf("oversized record %+v", recs[1])
			}
			if recs[2].Body != "after" || recs[2].Damage != "" || recs[2].Index != 3 {
				t.Errorf("next record %+v", recs[2])
			}
		})
	}
}

// TestDeclaredCount reads the root's count, -1 when absent or unreadable.
func TestDeclaredCount(t *testing.T) {
	tests := []struct {
		root string
		want int
	}{
		{`<smses count="1693" backup_set="x" type="full">`, 1693},
		{"<smses backup_set=\"x\"\r\ncount=\"16\r\n93\">", 1693},
		{`<smses>`, -1},
		{`<smses count="many">`, -1},
		{`<smses count="-4">`, -1},
	}
	for _, tt := range tests {
		t.Run(tt.root, func(t *testing.T) {
			r := smsbackup.NewReader(strings.NewReader(tt.root+"</smses>"), smsbackup.Options{})
			if got := r.DeclaredCount(); got != -1 {
				t.Errorf("before reading: %d, want -1", got)
			}
			if _, err := r.Next(); err != io.EOF {
				t.Fatalf("Next: %v", err)
			}
			if got := r.DeclaredCount(); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}

// TestLines checks Line under LF, CRLF and lone CR line ends.
func TestLines(t *testing.T) {
	for _, eol := range []string{"\n", "\r\n", "\r"} {
		in := "<smses>" + eol + `<sms body="a` + eol + `b"/>` + eol + eol + `<sms body="c"/></smses>`
		recs, _ := readAll(t, strings.NewReader(in), smsbackup.Options{})
		if len(recs) != 2 || recs[0].Line != 2 || recs[1].Line != 5 {
			t.Errorf("eol %q: got %+v, want lines 2 and 5", eol, recs)
		}
	}
}

// TestManyAttributes reads a tag of a megabyte of tiny attributes, which
// must cost work in proportion to its size and keep the real ones.
func TestManyAttributes(t *testing.T) {
	noise := strings.Repeat(`a="" `, 200_000)
	in := backup(`<sms address="M" date="1715351458724" ` + noise + `body="x"/>`)
	recs, err := readAll(t, strings.NewReader(in), smsbackup.Options{})
	if err != io.EOF || len(recs) != 1 || recs[0].Body != "x" || recs[0].Damage != "" {
		t.Fatalf("got %+v, %v", recs, err)
	}
}
