package sqlstore

import (
	"context"
	"testing"

	"github.com/momoanalytics/momo"
)

func TestTemplateCountsAndUnrecognized(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s := openOn(t, e)
		sub, err := s.Subscriber(ctx, momo.SourceCLI, "local", momo.Subscriber{})
		if err != nil {
			t.Fatal(err)
		}

		recs := []momo.MessageRecord{
			{Hash: "a", Source: momo.SourceBackup, Body: "sealed-a", Outcome: momo.OutcomeParsed, Template: "otp", LocalDay: "2025-01-01"},
			{Hash: "b", Source: momo.SourceBackup, Body: "sealed-b", Outcome: momo.OutcomeParsed, Template: "otp", LocalDay: "2025-01-01"},
			{Hash: "c", Source: momo.SourceBackup, Body: "sealed-c", Sender: "sealed-sender", Outcome: momo.OutcomeUnrecognized, Operator: "MTN MoMo", LocalDay: "2025-01-01"},
			{Hash: "d", Source: momo.SourceBackup, Body: "sealed-d", Outcome: momo.OutcomeUnrecognized, LocalDay: "2025-01-02"},
		}
		if _, err := s.Save(ctx, sub.ID, recs); err != nil {
			t.Fatal(err)
		}

		counts, err := s.TemplateCounts(ctx, sub.ID)
		if err != nil || len(counts) != 1 || counts["otp"] != 2 {
			t.Fatalf("template counts %v, %v", counts, err)
		}
		all, err := s.Unrecognized(ctx, sub.ID, 0)
		if err != nil || len(all) != 2 || all[0].Body != "sealed-d" || all[1].Sender != "sealed-sender" {
			t.Fatalf("unrecognized %+v, %v", all, err)
		}
		one, err := s.Unrecognized(ctx, sub.ID, 1)
		if err != nil || len(one) != 1 {
			t.Fatalf("limit 1: %+v, %v", one, err)
		}
	})
}
