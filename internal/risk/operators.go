package risk

import (
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"github.com/momoanalytics/momo"
)

// Operator is what risk knows about one operator in one country: how its
// genuine SMS look. It is data; supporting an operator is adding an entry.
// Phrases are matched against the text lower-cased with white space
// collapsed, so they are written that way.
type Operator struct {
	Name    string   // brand as the parser names it, e.g. "MTN MoMo"
	Aliases []string // other names of the brand ("Vodafone Cash")
	Country string   // ISO 3166 alpha-2
	// Currency and the words its SMS write it with ("ksh", "tsh", "₵").
	Currency      momo.Currency
	CurrencyWords []string
	// Senders are the SMS sender ids its messages come from.
	Senders []string
	// IDs are the shapes of its transaction ids; none means unknown.
	IDs []IDFormat
	// Markers are phrases of its transaction messages. A text that uses
	// two of them and an amount in its currency imitates this operator.
	Markers []string
	// Boilerplate is the operator's own fixed text (warnings about PINs,
	// adverts, help lines) that the scam-text rules must not read.
	Boilerplate []string
	// Links are the prefixes (host and path, no scheme) of its own links.
	Links []string
}

// IDFormat is one shape of transaction id.
type IDFormat struct {
	Re    *regexp.Regexp // must match the whole id
	Means string         // the shape in words, for reasons: "11 digits"
}

func idFormat(expr, means string) IDFormat {
	return IDFormat{Re: regexp.MustCompile(`^(?:` + expr + `)$`), Means: means}
}

// The id shapes the corpus shows, compiled once: DefaultOperators is
// called for every Config. A compiled regexp is safe to share.
var (
	idEleven     = idFormat(`\d{11}`, "11 digits")
	idMpesaKE    = idFormat(`[A-Z0-9]{10}`, "10 letters and digits")
	idMpesaKEOld = idFormat(`[A-Z]{2}\d{2}[A-Z]{2}\d{3}`, "the older 9-character shape")
	idMpesaTZ    = idFormat(`[A-Z]{1,2}\d{2}[A-Z]{2}\d{3}`, "8 or 9 letters and digits")
	idTigo       = idFormat(`[A-Z]{2}\d{6}\.\d{4}\.[A-Z]\d{5}`, "two letters, six digits, four digits and a letter with five digits")
	idAirtelKE   = idFormat(`\d{13}`, "13 digits")
	idAirtelGH   = idFormat(`\d{12,13}`, "12 or 13 digits")
	idSixteen    = idFormat(`\d{16}`, "16 digits")
)

// DefaultOperators returns the operators the corpus shows. Everything here
// is observed in a real message of shared/corpus, except where a comment
// says otherwise.
func DefaultOperators() []Operator {
	return []Operator{
		mtnRwanda(), mtnGhana(), mtnUganda(), mpesaKenya(), mpesaTanzania(),
		tigoPesa(), airtelKenya(), airtelGhana(), atMoney(), telecelCash(),
	}
}

func mtnRwanda() Operator {
	return Operator{
		Name: "MTN MoMo", Aliases: []string{"MTN Mobile Money", "MoMo"}, Country: "RW",
		Currency: "RWF", CurrencyWords: []string{"rwf", "frw"},
		// All 1,691 messages of the export come from M-Money; the others
		// are the ids the parser's table accepts for MTN Rwanda.
		Senders: []string{"M-Money", "MoMo", "MTN MoMo", "MTN"},
		IDs:     []IDFormat{idEleven},
		Markers: []string{
			"you have received", "your new balance", "financial transaction id", "txid",
			"on your mobile money account", "transferred to", "has been completed at", "fee was",
		},
		Boilerplate: []string{
			"thank you for using mtn mobilemoney",
			"please contact mobilemoney helpline for assistance",
			"mtn momo does not recommend that you share or expose your one-time password with anyone",
			"be vigilant",
			"kugura ama inite cg interineti kuri momo, kanda *182*2*1#",
			"kanda*182*16# wiyandikishe muri poromosiyo ya bivamomotima, ugire amahirwe yo gutsindira ibihembo bishimishije",
		},
	}
}

func mtnGhana() Operator {
	return Operator{
		Name: "MTN MoMo", Aliases: []string{"MTN Mobile Money", "MoMo"}, Country: "GH",
		Currency: "GHS", CurrencyWords: []string{"ghs", "ghc", "gh₵", "gh¢", "₵"},
		// MobileMoney sends the transactions; "MTN" is the corpus's
		// assumed id of the promotions.
		Senders: []string{"MobileMoney", "MTN"},
		IDs:     []IDFormat{idEleven},
		Markers: []string{
			"payment received for", "payment made for", "current balance", "available balance",
			"transaction id", "financial transaction id", "cash out made for", "your new balance", "fee charged",
		},
		Boilerplate: []string{
			"download the momo app for a faster & easier experience",
			"click here: https://mtnmymomo.onelink.me/xjot/momo",
			"cash-out fee is charged automatically from your mtn momo wallet",
			"please do not pay any fees to the agent",
			"thank you for using mtn mobilemoney",
			"anyone asking for this code is trying to fraudulently gain access to your funds",
			"do not share it or your pin with anyone",
		},
		Links: []string{"mtnmymomo.onelink.me/"},
	}
}

func mtnUganda() Operator {
	return Operator{
		Name: "MTN MoMo", Aliases: []string{"MTN Mobile Money", "MoMo"}, Country: "UG",
		Currency: "UGX", CurrencyWords: []string{"ugx", "ush", "ushs"},
		Senders: []string{"MTNMobMoney"},
		// The one Ugandan message in the corpus carries no id.
		Markers: []string{"you have received", "on your mobile money account", "your new balance"},
	}
}

func mpesaKenya() Operator {
	return Operator{
		Name: "M-Pesa", Aliases: []string{"MPesa", "Safaricom"}, Country: "KE",
		Currency: "KES", CurrencyWords: []string{"ksh", "kshs", "kes"},
		Senders: []string{"MPESA", "M-PESA"},
		IDs: []IDFormat{
			idMpesaKE,
			idMpesaKEOld,
		},
		Markers: []string{
			"confirmed.", "new m-pesa balance", "m-pesa balance", "you have received", "sent to",
			"paid to", "transaction cost", "give ksh", "withdraw ksh",
		},
		Boilerplate: []string{
			"pin yako siri yako",
			"safaricom only calls you from 0722000000",
			"save frequent tills for quick payment on m-pesa app https://bit.ly/mpesalnk",
			"earn interest daily on ziidi mmf,dial *334#",
			"save & get a loan on mshwari",
			"amount you can transact within the day is",
		},
		Links: []string{"bit.ly/mpesalnk"},
	}
}

func mpesaTanzania() Operator {
	return Operator{
		Name: "M-Pesa", Aliases: []string{"MPesa", "Vodacom"}, Country: "TZ",
		Currency: "TZS", CurrencyWords: []string{"tsh", "tshs", "tzs"},
		Senders: []string{"M-PESA", "MPESA"},
		IDs:     []IDFormat{idMpesaTZ},
		Markers: []string{
			"confirmed.", "new m-pesa balance", "m-pesa balance", "you have received", "sent to",
			"give tsh", "withdraw tsh",
		},
	}
}

func tigoPesa() Operator {
	return Operator{
		Name: "Tigo Pesa", Aliases: []string{"TigoPesa", "Mixx by Yas"}, Country: "TZ",
		Currency: "TZS", CurrencyWords: []string{"tsh", "tshs", "tzs"},
		Senders: []string{"TIGOPESA"},
		IDs:     []IDFormat{idTigo},
		Markers: []string{
			"new balance is", "txnid", "you have received", "money sent successfully", "cash-in of", "cash-out to",
		},
		Boilerplate: []string{"transact with tigo pesa", "you can now send money from your crdb account to"},
	}
}

func airtelKenya() Operator {
	return Operator{
		Name: "Airtel Money", Aliases: []string{"AirtelMoney"}, Country: "KE",
		Currency: "KES", CurrencyWords: []string{"ksh", "kshs", "kes"},
		Senders: []string{"AIRTELMONEY"},
		IDs:     []IDFormat{idAirtelKE},
		Markers: []string{"trans. id", "your available balance is", "you have received", "you have sent"},
	}
}

func airtelGhana() Operator {
	return Operator{
		Name: "Airtel Money", Aliases: []string{"AirtelMoney"}, Country: "GH",
		Currency: "GHS", CurrencyWords: []string{"ghs", "ghc", "gh₵", "gh¢", "₵"},
		Senders: []string{"AIRTELMONEY"},
		IDs:     []IDFormat{idAirtelGH},
		Markers: []string{"trans. id", "transid", "your available balance is", "you have sent", "you have paid"},
	}
}

// atMoney is AirtelTigo's wallet after the merger. The corpus holds no
// real message of it, so only its currency is known; the parser's table
// lends its sender ids through Config.Cover.
func atMoney() Operator {
	return Operator{
		Name: "AT Money", Aliases: []string{"AirtelTigo Money", "ATMoney"}, Country: "GH",
		Currency: "GHS", CurrencyWords: []string{"ghs", "ghc", "gh₵", "gh¢", "₵"},
	}
}

func telecelCash() Operator {
	return Operator{
		Name: "Telecel Cash", Aliases: []string{"Vodafone Cash", "T-Cash"}, Country: "GH",
		Currency: "GHS", CurrencyWords: []string{"ghs", "ghc", "gh₵", "gh¢", "₵"},
		Senders: []string{"T-CASH"},
		// The corpus's Telecel ids were shortened by their publisher;
		// SOURCES.md records the real ones as 16-digit numbers.
		IDs: []IDFormat{idSixteen},
		Markers: []string{
			"confirmed.", "telecel cash balance", "you have received", "sent to", "paid to", "e-levy charge",
		},
		Boilerplate: []string{"sendi k3k3!", "stay alert. never share your pin or otp with anyone", "kindly wait for confirmation"},
	}
}

// foldName reduces a brand to lower-case letters and digits, so that
// "M-Pesa (Safaricom)", "MPESA" and "m pesa" compare alike.
func foldName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// names reports whether the parser's operator name means this operator.
// Parsers may add a qualifier ("M-Pesa (Safaricom)"), so a name that starts
// with the brand counts.
func (o *Operator) names(name string) bool {
	folded := foldedName(name)
	if folded == "" {
		return false
	}
	if f := foldedName(o.Name); f != "" && strings.HasPrefix(folded, f) {
		return true
	}
	for _, n := range o.Aliases {
		if f := foldedName(n); f != "" && strings.HasPrefix(folded, f) {
			return true
		}
	}
	return false
}

// foldedNames remembers foldName's answers for the few names it is asked
// about again for every message (the operators' names and aliases, the
// parser's operator names): folding them anew was a tenth of a risk check.
var foldedNames sync.Map

// foldedName is foldName, remembered for up to maxFoldedNames names.
func foldedName(s string) string {
	if f, ok := foldedNames.Load(s); ok {
		return f.(string)
	}
	f := foldName(s)
	if foldedCount.Add(1) <= maxFoldedNames {
		foldedNames.Store(s, f)
	}
	return f
}

var foldedCount atomic.Int64

const maxFoldedNames = 1024

// sends reports whether sender is one of the operator's sender ids.
func (o *Operator) sends(sender string) bool {
	key := foldSender(sender)
	for _, s := range o.Senders {
		if foldSender(s) == key {
			return true
		}
	}
	return false
}

// foldSender compares sender ids without case or spaces, which phones and
// exports render differently.
func foldSender(s string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
}

// markers counts the operator's phrases in lower, a normalised text.
func (o *Operator) markers(lower string) int {
	n := 0
	for _, m := range o.Markers {
		if strings.Contains(lower, m) {
			n++
		}
	}
	return n
}

// writesMoney reports whether lower states an amount in the operator's
// currency: a currency word that starts a word and touches a number on
// either side, as in "ksh3,500.00", "50.00ksh" or "5000 rwf" (but not
// "makes 5").
func (o *Operator) writesMoney(lower string) bool {
	for _, w := range o.CurrencyWords {
		for i := 0; ; {
			j := strings.Index(lower[i:], w)
			if j < 0 {
				break
			}
			at := i + j
			wordStart := at == 0 || !isLetter(lower[at-1])
			if wordStart && (digitBefore(lower, at) || digitAfter(lower, at+len(w))) {
				return true
			}
			i = at + len(w)
		}
	}
	return false
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' }

func digitBefore(s string, i int) bool {
	i--
	if i >= 0 && s[i] == ' ' {
		i--
	}
	return i >= 0 && s[i] >= '0' && s[i] <= '9'
}

func digitAfter(s string, i int) bool {
	if i < len(s) && s[i] == ' ' {
		i++
	}
	return i < len(s) && s[i] >= '0' && s[i] <= '9'
}

// idShape returns the shapes of the operator's ids in words.
func (o *Operator) idShape() string {
	var parts []string
	for _, f := range o.IDs {
		parts = append(parts, f.Means)
	}
	return strings.Join(parts, " or ")
}

// validID reports whether id has one of the operator's shapes.
func (o *Operator) validID(id string) bool {
	for _, f := range o.IDs {
		if f.Re.MatchString(id) {
			return true
		}
	}
	return false
}
