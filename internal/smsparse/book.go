// Package smsparse reads mobile-money SMS with templates that are data: one
// YAML table per operator and country, embedded in the binary, extendable
// at run time (MOMO_TEMPLATES names more files; a template of the same
// operator key and name replaces the built-in one).
//
// A template is a regular expression written over the message as it reads
// after white space is collapsed, matched without regard to case, with
// placeholders for the fields it extracts: {amount} {fee} {tax} {balance}
// (a number; written {$amount}, the operator's currency may stand before
// or after it), {counterparty} {counterparty_number} {txid} {time} (the
// operator's time_layouts), {cur} (its currency words) and {_} (skip).
// `fields:` narrows a placeholder's sub-pattern, `set:` fixes a name. A
// pattern starting with ^ matches only at the start of a message: adverts
// and warnings that quote amounts use it.
//
// Dispatch: the operators that use the SMS's sender id are tried first,
// those whose words (hints) the text contains first among them; then every
// other operator whose words appear (a forwarded SMS has no sender). Within
// an operator, templates are tried in order, specific first, each only when
// every literal it requires is in the text. A message no template reads is
// unrecognized, with the operator guessed and a reason (Explain), never
// read with a doubtful amount.
//
// ParseAll reads a pasted text: forwarding headers, quotes and chat
// prefixes are dropped, and several SMS in one text are split where
// templates match. Redact masks a message for a bug report.
//
// The engine knows nothing about any operator: adding one is adding a file
// and its test cases (testdata/cases.jsonl, shipped as Samples for
// `momo templates test`).
package smsparse

import (
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/literal"
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
	bySender  map[string][]*Operator // sender id as written and as senderKey folds it
	ceiling   int64                  // largest amount in major units; 0 means no limit
	literals  *literal.Index         // every hint and required literal; nil: search each

	vocabOnce sync.Once
	vocab     map[string]bool // words Redact keeps
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

	hints []bookLiteral // lower-case words that suggest this operator in text
	exp   int           // the currency's minor digits
}

// Template is one compiled message shape.
type Template struct {
	Name      string
	Kind      momo.Kind
	Direction momo.Direction
	Status    momo.Status
	Companion momo.Companion

	source   string         // the pattern as written
	re       *regexp.Regexp // over the ASCII-lower-cased text
	anchored bool           // the pattern only matches at the start of a message
	window   int            // longest text the backtracking matcher takes; 0: any
	size     int            // instructions in the compiled program
	literals []bookLiteral  // lower-case texts every match contains: a cheap pre-filter
	lead     string         // lower-case literal every match starts with, if any
	// anchor is a literal every match holds preMin to preMax bytes after
	// its start; anchoredRe matches only at the start of its text. Nil
	// when the pattern has no such literal.
	anchor         string
	preMin, preMax int
	anchoredRe     *regexp.Regexp
	groups         groups
	set            map[string]string
	layouts        []string
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
	owner := map[string]string{} // template name -> operator key
	for _, spec := range specs {
		op, errs := compileOperator(spec)
		problems = append(problems, errs...)
		if op == nil {
			continue
		}
		for _, t := range op.Templates {
			if other, dup := owner[t.Name]; dup {
				problems = append(problems, fmt.Sprintf("operator %s template %q: the name is already used by operator %s; template names are unique in the book", op.Key, t.Name, other))
			}
			owner[t.Name] = op.Key
		}
		b.operators = append(b.operators, op)
		for _, s := range op.Senders {
			for _, key := range []string{s, senderKey(s)} {
				if !contains(b.bySender[key], op) {
					b.bySender[key] = append(b.bySender[key], op)
				}
			}
		}
	}
	if len(problems) > 0 {
		return nil, momo.E(momo.CodeConfig, "bad templates:\n  "+strings.Join(problems, "\n  "), nil)
	}
	b.numberLiterals()
	return b, nil
}

// numberLiterals gives every distinct hint and required literal of the book
// one number, so that a parse looks each up in the text once.
func (b *Book) numberLiterals() {
	ids := map[string]int{}
	var texts []string
	number := func(l *bookLiteral) {
		id, ok := ids[l.text]
		if !ok {
			id = len(ids)
			ids[l.text] = id
			texts = append(texts, l.text)
		}
		l.id = id
	}
	for _, op := range b.operators {
		for i := range op.hints {
			number(&op.hints[i])
		}
		for _, t := range op.Templates {
			for i := range t.literals {
				number(&t.literals[i])
			}
		}
	}
	b.literals = literal.New(texts)
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
	op.exp, _ = cur.Exponent()
	for _, h := range spec.Hints {
		op.hints = append(op.hints, bookLiteral{text: strings.ToLower(h)})
	}
	env := patternEnv{currencyWords: spec.CurrencyWords, timeLayouts: spec.TimeLayouts, parseLayouts: withLowerPM(spec.TimeLayouts)}
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
		set: ts.Set, layouts: env.parseLayouts, source: ts.Pattern,
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
	c, err := compilePattern(expr)
	if err != nil {
		return nil, fmt.Errorf("pattern does not compile: %w", err)
	}
	t.re, t.anchored, t.size, t.window, t.lead = c.re, c.anchored, c.size, c.window, c.lead
	t.anchor, t.preMin, t.preMax, t.anchoredRe = c.anchor, c.preMin, c.preMax, c.anchoredRe
	t.groups = indexGroups(t.re)
	for _, l := range c.literals {
		t.literals = append(t.literals, bookLiteral{text: l})
	}
	if ts.Companion != nil {
		if t.Companion, err = compileCompanion(*ts.Companion); err != nil {
			return nil, err
		}
	}
	if t.Kind.MovesMoney() && t.groups[fAmount][0] < 0 {
		return nil, fmt.Errorf("a %s template must capture {amount} or {$amount}: money moved by an unknown amount is not booked", t.Kind)
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

// withLowerPM adds, for every layout that reads "PM", the same layout
// reading "pm": Go parses each only in its own case, and operators write
// both ("6:43 PM", "10:56 pm").
func withLowerPM(layouts []string) []string {
	out := append([]string(nil), layouts...)
	for _, l := range layouts {
		if strings.Contains(l, "PM") {
			out = append(out, strings.ReplaceAll(l, "PM", "pm"))
		}
	}
	return out
}

// TemplateNames lists the templates a YAML table defines, in its order, for
// tools that report on one file.
func TemplateNames(data []byte) ([]string, error) {
	var f file
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, momo.E(momo.CodeConfig, "templates file is not valid", err)
	}
	var names []string
	for _, op := range f.Operators {
		for _, t := range op.Templates {
			names = append(names, t.Name)
		}
	}
	return names, nil
}
