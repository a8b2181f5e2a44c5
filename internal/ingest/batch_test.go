package ingest_test

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/ingest"
)

// batchStore records the size of every batch it is asked to save.
type batchStore struct {
	momo.Store
	mu      sync.Mutex
	counts  []int
	bodies  []int // sealed body bytes per batch
	largest int   // the largest sealed body seen
}

func (s *batchStore) Save(ctx context.Context, sub momo.SubscriberID, recs []momo.MessageRecord) ([]momo.Outcome, error) {
	s.mu.Lock()
	n := 0
	for _, r := range recs {
		n += len(r.Body)
		s.largest = max(s.largest, len(r.Body))
	}
	s.counts, s.bodies = append(s.counts, len(recs)), append(s.bodies, n)
	s.mu.Unlock()
	return s.Store.Save(ctx, sub, recs)
}

// sms is the nth of a run of distinct received SMS whose bodies have size
// bytes; none matches a template.
func sms(n, size int) ingest.Item {
	tag := " #" + strconv.Itoa(n)
	return ingest.Item{Message: momo.Message{
		Body:       strings.Repeat("x", max(size-len(tag), 1)) + tag,
		Sender:     "+250788000111",
		ReceivedAt: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Minute),
		Source:     momo.SourceCLI,
		Position:   "item " + strconv.Itoa(n),
	}}
}

// items yields n SMS of size bytes, then fails with fail (nil: done),
// calling before first.
func items(n, size int, before func(), fail error) func() (ingest.Item, bool, error) {
	i := 0
	return func() (ingest.Item, bool, error) {
		if i == n {
			if before != nil {
				before()
			}
			return ingest.Item{}, fail != nil, fail
		}
		i++
		return sms(i, size), true, nil
	}
}

// TestBatchBytes: a batch goes to the store when it holds DefaultBatch
// messages or DefaultBatchBytes of sealed bodies, whichever comes first,
// so that long bodies cannot make a batch of tens of megabytes.
func TestBatchBytes(t *testing.T) {
	tests := []struct {
		name      string
		n, size   int
		batches   int // at least
		fullCount bool
	}{
		{"ordinary SMS: the count closes batches", 5000, 160, 3, true},
		{"long bodies: the bytes close batches", 300, ingest.DefaultMaxBody - 10, 4, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			rec := &batchStore{Store: f.store}
			f.im.Store = rec

			counts, err := f.im.Import(t.Context(), f.sub, items(tt.n, tt.size, nil, nil))
			if err != nil || counts.Read != tt.n || counts.Unrecognized != tt.n {
				t.Fatalf("import: %+v %v", counts, err)
			}
			if len(rec.counts) < tt.batches {
				t.Errorf("%d batches %v, want at least %d", len(rec.counts), rec.counts, tt.batches)
			}
			for i, b := range rec.bodies {
				if b >= ingest.DefaultBatchBytes+rec.largest {
					t.Errorf("batch %d holds %d bytes of bodies, over %d and one body", i, b, ingest.DefaultBatchBytes)
				}
				if tt.fullCount && i < len(rec.counts)-1 && rec.counts[i] != ingest.DefaultBatch {
					t.Errorf("batch %d holds %d messages, want %d", i, rec.counts[i], ingest.DefaultBatch)
				}
			}
		})
	}
}

// TestInputCutKeepsWhatWasRead: an input that fails after n messages
// leaves all n stored, also when its context ends with it, as a request's
// does when the client goes away in the middle of an upload.
func TestInputCutKeepsWhatWasRead(t *testing.T) {
	cut := errors.New("client went away")
	tests := []struct {
		name   string
		n      int
		batch  int
		cancel bool
		fail   error
	}{
		{"cut inside a batch", 5000, 0, true, io.ErrUnexpectedEOF},
		{"cut inside a small batch", 250, 100, true, cut},
		{"cut on a batch boundary", 200, 100, true, cut},
		{"cut before any message", 0, 0, true, cut},
		{"failure without cancelling", 250, 100, false, io.ErrUnexpectedEOF},
		{"cancelled at the end, complete", 250, 100, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.im.BatchSize = tt.batch
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			before := func() {}
			if tt.cancel {
				before = cancel
			}

			counts, err := f.im.Import(ctx, f.sub, items(tt.n, 160, before, tt.fail))
			if (err != nil) != (tt.fail != nil) {
				t.Errorf("error %v after an input that ended with %v", err, tt.fail)
			}
			if tt.fail != nil && !errors.Is(err, tt.fail) {
				t.Errorf("error %v, want %v", err, tt.fail)
			}
			if counts.Read != tt.n || counts.Unrecognized != tt.n {
				t.Errorf("counts %+v, want %d read and stored", counts, tt.n)
			}
			if got := f.stored(t).Messages; got != tt.n {
				t.Errorf("%d messages stored, want %d", got, tt.n)
			}
		})
	}
}
