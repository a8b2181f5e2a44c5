// Package smsparse reads mobile-money SMS with templates that are data: one
// YAML table per operator, embedded in the binary, extendable at run time.
//
// A template is a regular expression written over the message as it reads
// after whitespace is collapsed, with placeholders such as {amount} or
// {time} for the fields it extracts. The engine knows nothing about any
// operator: adding one is adding a file and its test cases.
package smsparse

import (
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/momoanalytics/momo"
)

//go:embed templates/*.yaml
var builtin embed.FS

// file is the YAML shape of a template table.
type file struct {
	Operators []operatorSpec `yaml:"operators"`
}

type operatorSpec struct {
	Key           string         `yaml:"key"`
	Name          string         `yaml:"name"`
	Country       string         `yaml:"country"`
	Currency      string         `yaml:"currency"`
	CurrencyWords []string       `yaml:"currency_words"`
	Timezone      string         `yaml:"timezone"`
	Senders       []string       `yaml:"senders"`
	Hints         []string       `yaml:"hints"`
	TimeLayouts   []string       `yaml:"time_layouts"`
	Templates     []templateSpec `yaml:"templates"`
}

type templateSpec struct {
	Name      string            `yaml:"name"`
	Kind      string            `yaml:"kind"`
	Direction string            `yaml:"direction"`
	Status    *string           `yaml:"status"`
	Pattern   string            `yaml:"pattern"`
	Fields    map[string]string `yaml:"fields"`
	Set       map[string]string `yaml:"set"`
	Companion *companionSpec    `yaml:"companion"`
}

type companionSpec struct {
	Kinds  []string `yaml:"kinds"`
	Window string   `yaml:"window"`
}

// Book is a compiled set of operators and their templates. It is safe for
// concurrent use.
type Book struct {
	operators []*Operator
	bySender  map[string][]*Operator // lower-cased sender id
	ceiling   int64                  // largest amount in major units; 0 means no limit
}

// SetCeiling makes amounts above major units of their currency fail to
// read, so such a message stays unrecognized rather than booked: the
// configured MOMO_MAX_AMOUNT. Call it before the book is shared.
func (b *Book) SetCeiling(major int64) { b.ceiling = major }

// Operator is one operator in one country with its templates, in the order
// they are tried.
type Operator struct {
	Key       string
	Name      string
	Country   string
	Currency  momo.Currency
	Location  *time.Location
	Senders   []string
	Templates []*Template

	hints []string // lower-case words that suggest this operator in text
}

// Template is one compiled message shape.
type Template struct {
	Name      string
	Kind      momo.Kind
	Direction momo.Direction
	Status    momo.Status
	Companion momo.Companion

	re       *regexp.Regexp
	literals []string // lower-case texts every match contains: a cheap pre-filter
	lead     string   // lower-case literal every match starts with, if any
	groups   groups
	set      map[string]string
	layouts  []string
}

// Operators returns the operators in the order they are tried.
func (b *Book) Operators() []*Operator { return b.operators }

// Builtin compiles the template tables embedded in the binary.
func Builtin() (*Book, error) {
	return Load(builtin, nil)
}

// Load compiles every *.yaml file of fsys (the built-in tables when fsys is
// nil) and then the extra files, whose operators add to the tables and whose
// templates replace a built-in template of the same operator and name.
func Load(fsys fs.FS, extra map[string][]byte) (*Book, error) {
	if fsys == nil {
		fsys = builtin
	}
	var specs []operatorSpec
	names, err := fs.Glob(fsys, "templates/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("smsparse: list templates: %w", err)
	}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("smsparse: read %s: %w", name, err)
		}
		if specs, err = addFile(specs, name, data); err != nil {
			return nil, err
		}
	}
	for name, data := range extra {
		if specs, err = addFile(specs, name, data); err != nil {
			return nil, err
		}
	}
	return compile(specs)
}

// addFile merges one YAML table into specs.
func addFile(specs []operatorSpec, name string, data []byte) ([]operatorSpec, error) {
	var f file
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, momo.E(momo.CodeConfig, "templates file "+name+" is not valid", err)
	}
	for _, op := range f.Operators {
		specs = mergeOperator(specs, op)
	}
	return specs, nil
}

// mergeOperator adds op, or overlays it on the operator with the same key:
// templates with a known name replace the old one in place, new ones go
// first so that a local fix wins over the built-in shape it refines.
func mergeOperator(specs []operatorSpec, op operatorSpec) []operatorSpec {
	for i := range specs {
		if specs[i].Key != op.Key {
			continue
		}
		var fresh []templateSpec
		for _, t := range op.Templates {
			if !replaceTemplate(specs[i].Templates, t) {
				fresh = append(fresh, t)
			}
		}
		specs[i].Templates = append(fresh, specs[i].Templates...)
		return specs
	}
	return append(specs, op)
}

func replaceTemplate(ts []templateSpec, t templateSpec) bool {
	for i := range ts {
		if ts[i].Name == t.Name {
			ts[i] = t
			return true
		}
	}
	return false
}

func compile(specs []operatorSpec) (*Book, error) {
	b := &Book{bySender: map[string][]*Operator{}}
	var problems []string
	for _, spec := range specs {
		op, errs := compileOperator(spec)
		problems = append(problems, errs...)
		if op == nil {
			continue
		}
		b.operators = append(b.operators, op)
		for _, s := range op.Senders {
			key := strings.ToLower(s)
			b.bySender[key] = append(b.bySender[key], op)
		}
	}
	if len(problems) > 0 {
		return nil, momo.E(momo.CodeConfig, "bad templates:\n  "+strings.Join(problems, "\n  "), nil)
	}
	return b, nil
}

func compileOperator(spec operatorSpec) (*Operator, []string) {
	where := "operator " + spec.Key
	var problems []string
	if spec.Key == "" || spec.Name == "" || len(spec.Country) != 2 {
		problems = append(problems, where+": key, name and a two-letter country are required")
	}
	cur := momo.Currency(spec.Currency)
	if _, ok := cur.Exponent(); !ok {
		problems = append(problems, fmt.Sprintf("%s: unknown currency %q", where, spec.Currency))
	}
	loc, err := time.LoadLocation(spec.Timezone)
	if err != nil || spec.Timezone == "" {
		problems = append(problems, fmt.Sprintf("%s: unknown timezone %q", where, spec.Timezone))
	}
	if len(problems) > 0 {
		return nil, problems
	}

	op := &Operator{
		Key: spec.Key, Name: spec.Name, Country: spec.Country, Currency: cur,
		Location: loc, Senders: spec.Senders,
	}
	for _, h := range spec.Hints {
		op.hints = append(op.hints, strings.ToLower(h))
	}
	env := patternEnv{currencyWords: spec.CurrencyWords, timeLayouts: spec.TimeLayouts}
	if len(env.currencyWords) == 0 {
		env.currencyWords = []string{spec.Currency}
	}
	for _, ts := range spec.Templates {
		t, err := compileTemplate(ts, env)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s template %q: %v", where, ts.Name, err))
			continue
		}
		op.Templates = append(op.Templates, t)
	}
	return op, problems
}

func compileTemplate(ts templateSpec, env patternEnv) (*Template, error) {
	t := &Template{
		Name: ts.Name, Kind: momo.Kind(ts.Kind), Direction: momo.Direction(ts.Direction),
		set: ts.Set, layouts: env.timeLayouts,
	}
	if ts.Name == "" {
		return nil, fmt.Errorf("a template needs a name")
	}
	if !t.Kind.Valid() {
		return nil, fmt.Errorf("unknown kind %q", ts.Kind)
	}
	if !t.Direction.Valid() {
		return nil, fmt.Errorf("direction must be in, out or none, not %q", ts.Direction)
	}
	t.Status = defaultStatus(t.Kind)
	if ts.Status != nil {
		t.Status = momo.Status(*ts.Status)
	}
	if !t.Status.Valid() {
		return nil, fmt.Errorf("unknown status %q", t.Status)
	}
	for field := range ts.Set {
		if !settable[field] {
			return nil, fmt.Errorf("set: %q cannot be set to a constant", field)
		}
	}

	expr, err := expand(ts.Pattern, ts.Fields, env)
	if err != nil {
		return nil, err
	}
	if t.re, err = regexp.Compile("(?i)" + expr); err != nil {
		return nil, fmt.Errorf("pattern does not compile: %w", err)
	}
	t.groups = indexGroups(t.re)
	t.literals, t.lead = requiredLiterals(expr)
	if ts.Companion != nil {
		if t.Companion, err = compileCompanion(*ts.Companion); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func compileCompanion(c companionSpec) (momo.Companion, error) {
	window, err := time.ParseDuration(c.Window)
	if err != nil || window <= 0 {
		return momo.Companion{}, fmt.Errorf("companion window %q is not a positive duration", c.Window)
	}
	out := momo.Companion{Window: window}
	for _, k := range c.Kinds {
		if !momo.Kind(k).Valid() {
			return momo.Companion{}, fmt.Errorf("companion kind %q is unknown", k)
		}
		out.Kinds = append(out.Kinds, momo.Kind(k))
	}
	if len(out.Kinds) == 0 {
		return momo.Companion{}, fmt.Errorf("a companion rule needs kinds")
	}
	return out, nil
}

// defaultStatus is the status a template of kind k states unless it says
// otherwise: money that moved is completed, failures failed, and messages
// that describe no transaction have none.
func defaultStatus(k momo.Kind) momo.Status {
	switch k {
	case momo.KindFailed:
		return momo.Failed
	case momo.KindBalance, momo.KindStatement, momo.KindNotTransaction:
		return ""
	}
	return momo.Completed
}

// settable lists the fields a template may fix to a constant with `set:`.
var settable = map[string]bool{"counterparty": true, "counterparty_number": true}
