package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/smsparse"
)

const templatesUsage = `usage: momo templates list [--offline] [--format text|json]
       momo templates test FILE [SAMPLES.jsonl ...]

list prints every operator the parser knows (built-in tables plus the files
MOMO_TEMPLATES names), its templates in the order they are tried, their kind
and direction, and how many stored messages each template matched. With
--offline it does not open the database and prints no counts.

test loads FILE (a template table in the built-in YAML format) over the
built-in tables and MOMO_TEMPLATES, reports a bad pattern with the template
that holds it, then parses labelled samples and compares every labelled
field. Samples are JSON lines shaped like the corpus: {"body", "sender",
"received_at", "expect": {...}}, with "operator", "country" and "template"
checked when present. Without SAMPLES, the built-in samples are used, one
or more for every built-in template: a file that breaks a known shape fails.
The exit status is 1 when a sample fails.`

func runTemplates(e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(e.stderr, templatesUsage)
		if len(args) == 0 {
			return usageError(fmt.Errorf("say list or test"))
		}
		return flag.ErrHelp
	}
	switch args[0] {
	case "list":
		return templatesList(e, args[1:])
	case "test":
		return templatesTest(e, args[1:])
	}
	fmt.Fprintln(e.stderr, templatesUsage)
	return usageError(fmt.Errorf("unknown subcommand %q", args[0]))
}

func templatesList(e *env, args []string) error {
	fs := e.flags("templates list", templatesUsage)
	offline := fs.Bool("offline", false, "do not open the database; print no match counts")
	format := fs.String("format", "text", "text or json")
	if err := fs.Parse(args); err != nil {
		return usageError(err)
	}
	if *format != "text" && *format != "json" {
		return usageError(fmt.Errorf("--format must be text or json"))
	}
	book, err := e.book()
	if err != nil {
		return err
	}
	var counts map[string]int
	if !*offline {
		if counts, err = e.templateCounts(); err != nil {
			return err
		}
	}
	rows := templateRows(book, counts)
	if *format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	return writeTemplateRows(e.stdout, rows, counts != nil)
}

// templateCounts asks the store how often each template matched.
func (e *env) templateCounts() (map[string]int, error) {
	app, sub, err := e.local()
	if err != nil {
		return nil, err
	}
	return app.store.TemplateCounts(e.ctx, sub.ID)
}

// templateRow is one template in `momo templates list`.
type templateRow struct {
	OperatorKey string         `json:"operator_key"`
	Operator    string         `json:"operator"`
	Country     string         `json:"country"`
	Currency    momo.Currency  `json:"currency"`
	Template    string         `json:"template,omitempty"`
	Kind        momo.Kind      `json:"kind,omitempty"`
	Direction   momo.Direction `json:"direction,omitempty"`
	Status      momo.Status    `json:"status,omitempty"`
	Matched     *int           `json:"matched,omitempty"`
}

func templateRows(book *smsparse.Book, counts map[string]int) []templateRow {
	var rows []templateRow
	for _, op := range book.Operators() {
		base := templateRow{OperatorKey: op.Key, Operator: op.Name, Country: op.Country, Currency: op.Currency}
		if len(op.Templates) == 0 {
			rows = append(rows, base) // known by sender only: no real text yet
			continue
		}
		for _, t := range op.Templates {
			r := base
			r.Template, r.Kind, r.Direction, r.Status = t.Name, t.Kind, t.Direction, t.Status
			if counts != nil {
				n := counts[t.Name]
				r.Matched = &n
			}
			rows = append(rows, r)
		}
	}
	return rows
}

func writeTemplateRows(w io.Writer, rows []templateRow, withCounts bool) error {
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	header := "OPERATOR\tNAME\tCOUNTRY\tTEMPLATE\tKIND\tDIRECTION"
	if withCounts {
		header += "\tMATCHED"
	}
	fmt.Fprintln(tw, header)
	ops, templates := map[string]bool{}, 0
	for _, r := range rows {
		ops[r.OperatorKey] = true
		tpl, kind, dir := r.Template, string(r.Kind), string(r.Direction)
		if tpl == "" {
			tpl, kind, dir = "(none: no real SMS known yet)", "-", "-"
		} else {
			templates++
			if r.Status == momo.Pending {
				kind += " (pending)"
			}
		}
		line := fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%s", r.OperatorKey, r.Operator, r.Country, tpl, kind, dir)
		if withCounts {
			n := "-"
			if r.Matched != nil {
				n = fmt.Sprint(*r.Matched)
			}
			line += "\t" + n
		}
		fmt.Fprintln(tw, line)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%d operators, %d templates\n", len(ops), templates)
	return err
}

// sample is one labelled message for `momo templates test`.
type sample struct {
	Body       string         `json:"body"`
	Sender     *string        `json:"sender"`
	ReceivedAt *string        `json:"received_at"`
	Operator   string         `json:"operator"`
	Country    string         `json:"country"`
	Template   string         `json:"template"`
	Expect     map[string]any `json:"expect"`

	where string // file and line, for the report
}

func templatesTest(e *env, args []string) error {
	fs := e.flags("templates test", templatesUsage)
	verbose := fs.Bool("v", false, "list passing samples too")
	if err := fs.Parse(args); err != nil {
		return usageError(err)
	}
	if fs.NArg() == 0 {
		return usageError(fmt.Errorf("give the template file to test"))
	}
	file := fs.Arg(0)

	extra, err := extraTemplates(e.getenv("MOMO_TEMPLATES"))
	if err != nil {
		return err
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return momo.E(momo.CodeInvalid, "cannot read "+file, err)
	}
	if extra == nil {
		extra = map[string][]byte{}
	}
	extra[file] = data
	book, err := smsparse.Load(nil, extra)
	if err != nil {
		return err
	}
	book.SetCeiling(ceiling(e.getenv("MOMO_MAX_AMOUNT")))

	var samples []sample
	if fs.NArg() == 1 {
		if samples, err = readSamples("built-in samples", bytes.NewReader(smsparse.Samples())); err != nil {
			return err
		}
	}
	for _, path := range fs.Args()[1:] {
		f, err := os.Open(path)
		if err != nil {
			return momo.E(momo.CodeInvalid, "cannot read "+path, err)
		}
		more, err := readSamples(path, f)
		f.Close()
		if err != nil {
			return err
		}
		samples = append(samples, more...)
	}
	if len(samples) == 0 {
		return momo.E(momo.CodeInvalid, "no labelled samples to test", nil)
	}

	used := map[string]int{}
	failed := 0
	for _, s := range samples {
		v, tpl := parseSample(book, s)
		used[tpl]++
		problems := sampleProblems(v, s)
		if len(problems) == 0 {
			if *verbose {
				fmt.Fprintf(e.stdout, "ok    %s (%s)\n", s.where, tpl)
			}
			continue
		}
		failed++
		fmt.Fprintf(e.stdout, "FAIL  %s (%s) %.90q\n      %s\n", s.where, orNone(tpl), s.Body, strings.Join(problems, "\n      "))
	}

	// Templates of the file that no sample reached are worth a warning: a
	// template nobody tested is a template that may never match.
	var untested []string
	names, _ := smsparse.TemplateNames(data) // the file loaded, so it decodes
	for _, name := range names {
		if used[name] == 0 {
			untested = append(untested, name)
		}
	}
	if len(untested) > 0 {
		sort.Strings(untested)
		fmt.Fprintf(e.stdout, "no sample matched these templates of %s: %s\n", file, strings.Join(untested, ", "))
	}
	fmt.Fprintf(e.stdout, "%d passed, %d failed\n", len(samples)-failed, failed)
	if failed > 0 {
		return momo.E(momo.CodeInvalid, fmt.Sprintf("%d of %d samples failed", failed, len(samples)), nil)
	}
	return nil
}

func parseSample(book *smsparse.Book, s sample) (smsparse.View, string) {
	m := momo.Message{Body: s.Body, Source: momo.SourceCLI}
	if s.Sender != nil {
		m.Sender = *s.Sender
	}
	if s.ReceivedAt != nil {
		if t, err := time.Parse(time.RFC3339, *s.ReceivedAt); err == nil {
			m.ReceivedAt = t.UTC()
		}
	}
	v := smsparse.NewResultsView(book.ParseAll(m))
	tpl := ""
	if v.Template != nil {
		tpl = *v.Template
	}
	return v, tpl
}

// sampleProblems lists how a parse differs from its sample's labels.
func sampleProblems(v smsparse.View, s sample) []string {
	var problems []string
	if v.Result != momo.OutcomeParsed {
		problems = append(problems, "unrecognized: "+v.Why)
		return problems
	}
	want := map[string]any{}
	for k, val := range s.Expect {
		want[k] = val
	}
	for k, val := range map[string]string{"operator": s.Operator, "country": s.Country, "template": s.Template} {
		if val != "" {
			want[k] = val
		}
	}
	problems = append(problems, v.Mismatches(want)...)
	sort.Strings(problems)
	return problems
}

func readSamples(name string, r io.Reader) ([]sample, error) {
	var out []sample
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), maxLineBytes)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var s sample
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil || s.Expect == nil {
			return nil, momo.E(momo.CodeInvalid, fmt.Sprintf("%s line %d is not a labelled sample (body and expect)", name, line), err)
		}
		s.where = fmt.Sprintf("%s:%d", name, line)
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		return nil, momo.E(momo.CodeInvalid, "cannot read "+name, err)
	}
	return out, nil
}

func orNone(s string) string {
	if s == "" {
		return "no template"
	}
	return s
}
