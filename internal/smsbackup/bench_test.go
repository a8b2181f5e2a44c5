package smsbackup_test

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"testing"

	"github.com/momoanalytics/momo/internal/smsbackup"
)

// BenchmarkReader reads the clean corpus export.
func BenchmarkReader(b *testing.B) {
	data := corpusBytes(b, cleanFile)
	benchmarkBytes(b, data)
}

// BenchmarkReaderWrapped reads the damaged copy, which takes the slower
// paths (line breaks in values, a splice).
func BenchmarkReaderWrapped(b *testing.B) {
	data := corpusBytes(b, wrappedFile)
	benchmarkBytes(b, data)
}

func benchmarkBytes(b *testing.B, data []byte) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		n, err := drain(bytes.NewReader(data), nil)
		if err != nil || n == 0 {
			b.Fatalf("%d records, %v", n, err)
		}
	}
}

// BenchmarkReaderLarge reads 200 MB synthesised on the fly, never held in
// memory or written to disk, and reports the peak heap seen while reading.
// The peak staying a few megabytes shows memory does not grow with the file.
func BenchmarkReaderLarge(b *testing.B) {
	const size = 200 << 20
	b.SetBytes(size)
	var peak uint64
	for b.Loop() {
		n, err := drain(newSynth(size), &peak)
		if err != nil || n == 0 {
			b.Fatalf("%d records, %v", n, err)
		}
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// drain reads every record of r. With peak set, it samples the heap every
// few thousand records and keeps the highest figure.
func drain(r io.Reader, peak *uint64) (int, error) {
	br := smsbackup.NewReader(r, smsbackup.Options{})
	var ms runtime.MemStats
	for n := 0; ; n++ {
		_, err := br.Next()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		if peak != nil && n%4096 == 0 {
			runtime.ReadMemStats(&ms)
			*peak = max(*peak, ms.HeapAlloc)
		}
	}
}

// synth is an io.Reader that produces an export of about size bytes,
// made of wrapped-looking records with varied bodies, one at a time.
type synth struct {
	left  int
	n     int
	buf   []byte
	state int // 0 header, 1 records, 2 footer written
}

func newSynth(size int) *synth { return &synth{left: size} }

func (s *synth) Read(p []byte) (int, error) {
	for len(s.buf) == 0 {
		if !s.refill() {
			return 0, io.EOF
		}
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}

// refill makes the next piece of the file, or reports the end.
func (s *synth) refill() bool {
	switch {
	case s.state == 0:
		s.buf = append(s.buf[:0], "<?xml version='1.0' encoding='utf-8'?>\r\n<smses count=\"0\">\r\n"...)
		s.state = 1
	case s.state == 1 && s.left > 0:
		s.n++
		s.buf = fmt.Appendf(s.buf[:0], "<sms protocol=\"0\" address=\"M-Money\" date=\"%d\" type=\"1\" subject=\"null\"\r\n"+
			"body=\"TxId: %011d. Your payment of %d RWF to Jane Smith has been completed at 2024-\r\n"+
			"05-12 13:26:13. Your new balance: %d RWF &#55357;&#56832;.\" toa=\"null\" sc_toa=\"null\"read=\"1\"\r\n"+
			"readable_date=\"12 May 2024 1:26:20 PM\" contact_name=\"(Unknown)\" />\r\n",
			1715506895734+int64(s.n)*1000, s.n, s.n%5000, s.n%90000)
	case s.state == 1:
		s.buf = append(s.buf[:0], "</smses>\r\n"...)
		s.state = 2
	default:
		return false
	}
	s.left -= len(s.buf)
	return true
}

// TestMemoryFlat reads a 64 MB synthesised file and checks the heap never
// holds a sizeable part of it. It measures memory, not time.
func TestMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 64 MB")
	}
	runtime.GC()
	var peak uint64
	n, err := drain(newSynth(64<<20), &peak)
	if err != nil {
		t.Fatalf("after %d records: %v", n, err)
	}
	t.Logf("%d records, peak heap %.1f MiB", n, float64(peak)/(1<<20))
	if peak > 16<<20 {
		t.Errorf("peak heap %d bytes for a 64 MB file; the reader holds more than an element", peak)
	}
}
