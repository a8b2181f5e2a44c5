package synth

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// WriteBackup writes msgs as an SMS Backup & Restore export, the way the
// app does it: one <sms> a line, readable dates in the phone's zone, and
// characters beyond the Basic Multilingual Plane (emoji) as pairs of UTF-16
// surrogate references.
func WriteBackup(w io.Writer, msgs []SMS) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n")
	fmt.Fprintf(bw, "<smses count=\"%d\" backup_set=\"00000000-0000-4000-8000-000000000000\" backup_date=\"%d\" type=\"full\">\n",
		len(msgs), backupDate(msgs))
	for _, m := range msgs {
		fmt.Fprintf(bw, `  <sms protocol="0" address="%s" date="%d" type="%d" subject="null" body="%s" toa="null" sc_toa="null" service_center="+250788110381" read="1" status="-1" locked="0" date_sent="%d" sub_id="1" readable_date="%s" contact_name="(Unknown)" />`+"\n",
			attr(m.Address), m.Received.UnixMilli(), m.Type, attr(m.Body), m.Received.Add(-5*time.Second).UnixMilli(),
			attr(m.Received.In(kigali).Format("2 Jan 2006 3:04:05 PM")))
	}
	fmt.Fprintf(bw, "</smses>\n")
	return bw.Flush()
}

func backupDate(msgs []SMS) int64 {
	if len(msgs) == 0 {
		return 0
	}
	return msgs[len(msgs)-1].Received.Add(time.Hour).UnixMilli()
}

// attr escapes an attribute value.
func attr(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"':
			b.WriteString("&quot;")
		case r == '\'':
			b.WriteString("&apos;")
		case r == '\n':
			b.WriteString("&#10;")
		case r > 0xFFFF:
			hi, lo := utf16.EncodeRune(r)
			b.WriteString("&#" + strconv.Itoa(int(hi)) + ";&#" + strconv.Itoa(int(lo)) + ";")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
