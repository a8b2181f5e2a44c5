package sqlstore

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"testing"
	"time"

	"github.com/momoanalytics/momo"
)

// FuzzRestore feeds damaged and invented backups to Restore: each is
// refused with a bad-backup error or loaded, and nothing panics. The input
// is the file's uncompressed text, so that the fuzzer works on lines and
// values rather than on gzip's bits.
func FuzzRestore(f *testing.F) {
	src, err := Open(context.Background(), ":memory:")
	if err != nil {
		f.Fatal(err)
	}
	src.now = func() time.Time { return importTime }
	sub, err := src.Subscriber(context.Background(), momo.SourceCLI, "alice", momo.Subscriber{})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := src.Save(context.Background(), sub.ID, []momo.MessageRecord{
		parsed("m1", money("k1", momo.KindReceived, momo.In, 120000, at("2024-01-05 10:00"))),
		unrecognized("m2", "MTN MoMo", at("2024-02-03 09:00")),
	}); err != nil {
		f.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := src.Backup(context.Background(), &buf); err != nil {
		f.Fatal(err)
	}
	src.Close()
	f.Add(plain(f, buf.Bytes()))
	f.Add([]byte(`{"momo_backup":1,"schema":1}` + "\n"))

	f.Fuzz(func(t *testing.T, text []byte) {
		dst, err := Open(context.Background(), ":memory:")
		if err != nil {
			t.Fatal(err)
		}
		defer dst.Close()
		_, err = dst.Restore(context.Background(), bytes.NewReader(gz(t, string(text))), RestoreOptions{})
		if err != nil && momo.ErrorCode(err) == momo.CodeInternal {
			t.Fatalf("Restore failed as a bug, not as a bad file: %v", err)
		}
	})
}

// plain is a backup's uncompressed text.
func plain(tb testing.TB, file []byte) []byte {
	tb.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(file))
	if err != nil {
		tb.Fatal(err)
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatal(err)
	}
	return text
}
