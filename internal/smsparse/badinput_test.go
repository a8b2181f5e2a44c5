package smsparse_test

import (
	"math"
	"strings"
	"testing"

	"github.com/momoanalytics/momo"
)

// amountFamilies holds one real shape per operator family, with AMOUNT where
// the principal goes and the currency written as the operator writes it.
var amountFamilies = []struct{ sender, body string }{
	{"MobileMoney", "Payment received for GHS AMOUNT from KWAME EXAMPLE  Current Balance: GHS 320.75 . Available Balance: GHS 320.75. Reference: x. Transaction ID: 51000000001. TRANSACTION FEE: 0.00"},
	{"T-CASH", "0000012000000006 Confirmed. You have received GHSAMOUNT from 233200000032 - EXAMPLE PERSON on 2026-04-06 at 13:43:11. Your Telecel Cash balance is GHS503.98."},
	{"AIRTELMONEY", "Trans. ID: 300000000001 You have sent AMOUNTGHS to 233260000041. Your available balance is 120.50GHS."},
	{"MTNMobMoney", "You have sent UGX AMOUNT to EXAMPLE NAKATO, 256770000054 on 2026-05-04 17:04:02. fee:330. New balance: UGX 1200. ID: 40000000004."},
	{"AirtelMoney", "RECEIVED. TID 150000000001. UGX AMOUNT from 750000061, SAMPLE MUKASA. Bal UGX 67,111."},
	{"MPESA", "TK00SE0003 Confirmed. KshAMOUNT sent to Example Person 0711000073 on 20/10/24 at 6:27 PM. New M-PESA balance is Ksh123.12."},
	{"AIRTELMONEY", "Trans. ID: 1400000000005 You have sent AMOUNTKsh to EXAMPLE OTIENO. Your available balance is 20.00Ksh."},
	{"M-PESA", "X00IQ007 Confirmed. TshAMOUNT sent to EXAMPLE WILLIAM on 15/12/13 at 10:19 PM. New M-PESA balance is Tsh13,232."},
	{"TIGOPESA", "You have paid TSh AMOUNT to SAMPLE SHOP. Charges TSh 500. VAT TSh 76. Trnx ID: 63000000010. 19/08/23 11:20. Your New balance is TSh 67,372."},
	{"M-Money", "*165*S*AMOUNT RWF transferred to Eric Sample (250788000011) from 40000001 at 2025-03-02 10:00:00 . Fee was: 100 RWF. New balance: 1000 RWF."},
}

// TestBadAmountsEveryFamily: an amount that does not read cleanly leaves
// the message unrecognized with a reason; it is never read as another
// number, and nothing panics.
func TestBadAmountsEveryFamily(t *testing.T) {
	b := book(t)
	b.SetCeiling(1_000_000_000)
	bad := []string{"5O.00", "50.0O", "-50.00", "1e309", "5,00,0", "٥٠", "５０", "99999999999999999999999", "1.2.3", "50.001", "12,34"}
	for _, f := range amountFamilies {
		for _, amount := range bad {
			body := strings.Replace(f.body, "AMOUNT", amount, 1)
			p, why := b.Explain(momo.Message{Body: body, Sender: f.sender})
			if p.Outcome == momo.OutcomeParsed {
				t.Errorf("%s read %q as %d (template %s)", f.sender, amount, p.Transaction.Amount.Minor, p.Transaction.Template)
				continue
			}
			if why == "" || p.Operator == "" {
				t.Errorf("%s %q: unrecognized without a reason or operator guess (%q, %q)", f.sender, amount, why, p.Operator)
			}
		}
		// Zero reads as zero; a huge amount is refused by the ceiling.
		p := b.Parse(momo.Message{Body: strings.Replace(f.body, "AMOUNT", "0", 1), Sender: f.sender})
		if p.Outcome != momo.OutcomeParsed || p.Transaction.Amount != momo.Some(0) {
			t.Errorf("%s: zero amount: %+v", f.sender, p)
		}
		p, why := b.Explain(momo.Message{Body: strings.Replace(f.body, "AMOUNT", "5000000000000", 1), Sender: f.sender})
		if p.Outcome == momo.OutcomeParsed || !strings.Contains(why, "ceiling") {
			t.Errorf("%s: amount above the ceiling: %v %q", f.sender, p.Outcome, why)
		}
	}
}

// TestBalanceBeyondInt64 refuses a balance that does not fit.
func TestBalanceBeyondInt64(t *testing.T) {
	b := book(t)
	body := "Trans. ID: 1400000000005 You have sent 40.00Ksh to EXAMPLE OTIENO. Your available balance is 92233720368547758.08Ksh."
	if p := b.Parse(momo.Message{Body: body, Sender: "AIRTELMONEY"}); p.Outcome == momo.OutcomeParsed {
		t.Errorf("balance beyond int64 read as %d (max %d)", p.Transaction.Balance.Minor, int64(math.MaxInt64))
	}
}

// TestOddBytes: NUL bytes and invalid UTF-8 never panic, and do not stop a
// message from being read when they sit outside its fields.
func TestOddBytes(t *testing.T) {
	b := book(t)
	for _, body := range []string{
		"\x00" + ghReceivedBody,
		ghReceivedBody + "\xff\xfe",
		strings.Replace(ghReceivedBody, "KWAME", "KW\x00AME", 1),
		strings.Replace(ghReceivedBody, "45.50", "4\xff5.50", 1),
		"\xff\xff\xff",
		strings.Repeat("\x00", 100),
	} {
		_ = b.Parse(momo.Message{Body: body, Sender: "MobileMoney"})
		for _, r := range b.ParseAll(momo.Message{Body: body}) {
			if r.Outcome == momo.OutcomeParsed && r.Transaction.Amount.Minor != 4550 {
				t.Errorf("%q read as %d", body, r.Transaction.Amount.Minor)
			}
		}
		_ = b.Redact(body)
	}
}

const ghReceivedBody = "Payment received for GHS 45.50 from KWAME EXAMPLE  Current Balance: GHS 320.75 . Available Balance: GHS 320.75. Reference: x. Transaction ID: 51000000001. TRANSACTION FEE: 0.00"
