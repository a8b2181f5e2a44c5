package momo_test

import (
	"math"
	"testing"

	"github.com/momoanalytics/momo"
)

func TestParseMinor(t *testing.T) {
	tests := []struct {
		cur     momo.Currency
		in      string
		want    int64
		wantErr bool
	}{
		{"RWF", "40000", 40000, false},
		{"RWF", "1,000", 1000, false},
		{"RWF", "126,360", 126360, false},
		{"RWF", "1,000,000", 1000000, false},
		{"RWF", "0", 0, false},
		{"RWF", "2000.00", 2000, false},
		{"RWF", "2000.50", 0, true}, // RWF has no minor unit
		{"RWF", "1.000", 0, true},   // a thousand, or one? refuse to guess
		{"UGX", "1000000.00", 1000000, false},
		{"GHS", "1,250.00", 125000, false},
		{"GHS", "1250", 125000, false},
		{"GHS", "0.5", 50, false},
		{"GHS", "2.21", 221, false},
		{"GHS", "2.215", 0, true},
		{"GHS", "2.210", 221, false},
		{"TZS", "50,000", 5000000, false},
		{"KES", "20,087.69", 2008769, false},
		{"GHS", "-50.00", 0, true},
		{"GHS", "+50", 0, true},
		{"GHS", "1e309", 0, true},
		{"GHS", "12,34", 0, true},
		{"GHS", "1,,234", 0, true},
		{"GHS", ",123", 0, true},
		{"GHS", "1234,567", 0, true},
		{"GHS", "", 0, true},
		{"GHS", ".5", 0, true},
		{"GHS", "5.", 0, true},
		{"GHS", "١٢٣", 0, true}, // Arabic-Indic digits
		{"GHS", "１２３", 0, true}, // full-width digits
		{"RWF", "9223372036854775807", 9223372036854775807, false},
		{"RWF", "9223372036854775808", 0, true},
		{"GHS", "92233720368547758.07", 9223372036854775807, false},
		{"GHS", "92233720368547758.08", 0, true},
		{"XYZ", "1", 0, true},
	}
	for _, tc := range tests {
		t.Run(string(tc.cur)+" "+tc.in, func(t *testing.T) {
			got, err := tc.cur.ParseMinor(tc.in)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("want an error, got %d", got)
				}
				if momo.ErrorCode(err) != momo.CodeInvalid {
					t.Errorf("error code %s, want invalid", momo.ErrorCode(err))
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %d, %v; want %d", got, err, tc.want)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		cur         momo.Currency
		in          int64
		want, plain string
	}{
		{"RWF", 40000, "40,000", "40000"},
		{"RWF", 0, "0", "0"},
		{"RWF", 999, "999", "999"},
		{"GHS", 125000, "1,250.00", "1250.00"},
		{"GHS", 5, "0.05", "0.05"},
		{"GHS", -221, "-2.21", "-2.21"},
		{"KES", 100000000, "1,000,000.00", "1000000.00"},
		{"GHS", math.MinInt64, "-92,233,720,368,547,758.08", "-92233720368547758.08"},
	}
	for _, tc := range tests {
		if got := tc.cur.Format(tc.in); got != tc.want {
			t.Errorf("Format %s %d: got %q, want %q", tc.cur, tc.in, got, tc.want)
		}
		if got := tc.cur.Plain(tc.in); got != tc.plain {
			t.Errorf("Plain %s %d: got %q, want %q", tc.cur, tc.in, got, tc.plain)
		}
	}
}

func TestMinorOf(t *testing.T) {
	if got := momo.Currency("GHS").MinorOf(100); got != 10000 {
		t.Errorf("GHS 100 = %d minor", got)
	}
	if got := momo.Currency("RWF").MinorOf(100); got != 100 {
		t.Errorf("RWF 100 = %d minor", got)
	}
	if got := momo.Currency("GHS").MinorOf(1 << 62); got != 1<<63-1 {
		t.Errorf("overflow not saturated: %d", got)
	}
}
