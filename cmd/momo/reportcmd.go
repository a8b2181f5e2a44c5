package main

import (
	"errors"
	"strings"
	"time"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/report"
)

const reportUsage = `usage: momo report [--format text|json|csv] [--from DATE] [--to DATE] [--top N]

Prints money in and out per month, totals by kind, fees and taxes paid, the
top counterparties, the last known balance and the unrecognized messages.
Dates are YYYY-MM-DD, inclusive, in local time.`

func runReport(e *env, args []string) error {
	fs := e.flags("report", reportUsage)
	format := fs.String("format", "text", "text, json or csv")
	from := fs.String("from", "", "first local date, YYYY-MM-DD")
	to := fs.String("to", "", "last local date, YYYY-MM-DD")
	top := fs.Int("top", 10, "how many counterparties to list")
	if err := fs.Parse(args); err != nil {
		return usageError(err)
	}
	if err := checkReportFlags(*format, *from, *to, *top); err != nil {
		return usageError(err)
	}

	app, sub, err := e.local()
	if err != nil {
		return err
	}
	q := momo.ReportQuery{Subscriber: sub.ID, From: *from, To: *to, Top: *top}
	stored, err := app.store.Report(e.ctx, q)
	if err != nil {
		return err
	}
	r, err := report.Build(stored, q, app.cipher, app.zone)
	if err != nil {
		return err
	}
	return report.Write(e.stdout, r, *format)
}

func checkReportFlags(format, from, to string, top int) error {
	var problems []string
	if !contains(report.Formats, format) {
		problems = append(problems, "--format must be one of "+strings.Join(report.Formats, ", "))
	}
	for _, d := range []struct{ flag, value string }{{"--from", from}, {"--to", to}} {
		if d.value == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, d.value); err != nil {
			problems = append(problems, d.flag+" must be a date like 2025-01-31")
		}
	}
	if from != "" && to != "" && from > to {
		problems = append(problems, "--from is after --to")
	}
	if top < 1 || top > 1000 {
		problems = append(problems, "--top must be between 1 and 1000")
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
