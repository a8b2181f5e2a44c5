package risk

import (
	"fmt"
	"time"

	"github.com/momoanalytics/momo"
)

// wallet writes the SMS of one operator for the simulation, with the
// transaction a correct parser reads from each. The shapes are those of
// the real messages in shared/corpus; names, numbers and ids are invented.
type wallet struct {
	operator, country string
	currency          momo.Currency
	loc               *time.Location
	sender            string
	// render writes one message; t is the local time written in it.
	render func(w *wallet, k msgKind, m msgFields) (string, momo.Transaction)
}

// msgKind is a message shape of the simulation.
type msgKind int

const (
	msgReceived msgKind = iota
	msgSalary
	msgPayment
	msgAirtime
	msgSent
	msgWithdrawal
)

// msgFields are the facts one message states.
type msgFields struct {
	amount, fee, balance int64
	name, number         string
	id                   string
	at                   time.Time
	note                 string // the sender's message or reference
}

// tx fills the fields every transaction shares.
func (w *wallet) tx(kind momo.Kind, dir momo.Direction, m msgFields, template string) momo.Transaction {
	return momo.Transaction{
		Operator: w.operator, Country: w.country, Currency: w.currency, Kind: kind, Direction: dir,
		Status: momo.Completed, Amount: momo.Some(m.amount), Balance: momo.Some(m.balance),
		Counterparty: m.name, CounterpartyNumber: m.number, OccurredAt: m.at, Location: w.loc,
		Template: template,
	}
}

// The simulation's zones are fixed offsets: Rwanda (UTC+2) and Ghana (UTC)
// keep no daylight saving, and loading the zone database would be I/O.
var (
	kigali = time.FixedZone("Africa/Kigali", 2*60*60)
	accra  = time.FixedZone("Africa/Accra", 0)
)

func rwanda() *wallet {
	return &wallet{operator: "MTN MoMo", country: "RW", currency: "RWF", loc: kigali, sender: "M-Money", render: renderRwanda}
}

func ghana() *wallet {
	return &wallet{operator: "MTN MoMo", country: "GH", currency: "GHS", loc: accra, sender: "MobileMoney", render: renderGhana}
}

const rwStamp = "2006-01-02 15:04:05"

func renderRwanda(w *wallet, k msgKind, m msgFields) (string, momo.Transaction) {
	stamp := m.at.Format(rwStamp)
	switch k {
	case msgReceived:
		tx := w.tx(momo.KindReceived, momo.In, m, "received_p2p")
		tx.TransactionID = m.id
		return fmt.Sprintf("You have received %d RWF from %s (%s) on your mobile money account at %s. Message from sender: %s. Your new balance:%d RWF. Financial Transaction Id: %s.",
			m.amount, m.name, m.number, stamp, m.note, m.balance, m.id), tx
	case msgSalary:
		tx := w.tx(momo.KindDeposit, momo.In, m, "bank_deposit_113")
		tx.Counterparty, tx.CounterpartyNumber = "", ""
		return fmt.Sprintf("*113*R*A bank deposit of %d RWF has been added to your mobile money account at %s. Your NEW BALANCE :%d RWF. Cash Deposit::CASH::::0::250780000999.Thank you for using MTN MobileMoney.*EN#",
			m.amount, stamp, m.balance), tx
	case msgPayment:
		tx := w.tx(momo.KindPayment, momo.Out, m, "momopay_txid_payment")
		tx.TransactionID, tx.Fee = m.id, momo.Some(0)
		return fmt.Sprintf("TxId: %s. Your payment of %s RWF to %s %s has been completed at %s. Your new balance: %s RWF. Fee was 0 RWF.",
			m.id, w.currency.Format(m.amount), m.name, m.number, stamp, w.currency.Format(m.balance)), tx
	case msgAirtime:
		m.name, m.number = "Airtime", ""
		tx := w.tx(momo.KindAirtime, momo.Out, m, "utility_162_airtime")
		tx.TransactionID, tx.Fee = m.id, momo.Some(0)
		return fmt.Sprintf("*162*TxId:%s*S*Your payment of %d RWF to Airtime with token  has been completed at %s. Fee was 0 RWF. Your new balance: %d RWF . Message: - -. *EN#",
			m.id, m.amount, stamp, m.balance), tx
	case msgSent:
		tx := w.tx(momo.KindSent, momo.Out, m, "p2p_transfer_165")
		tx.Fee = momo.Some(m.fee)
		return fmt.Sprintf("*165*S*%d RWF transferred to %s (%s) from 40000009 at %s . Fee was: %d RWF. New balance: %d RWF. Kugura ama inite cg interineti kuri MoMo, Kanda *182*2*1# .*EN#",
			m.amount, m.name, m.number, stamp, m.fee, m.balance), tx
	default: // msgWithdrawal
		tx := w.tx(momo.KindWithdrawal, momo.Out, m, "agent_withdrawal")
		tx.TransactionID, tx.Fee = m.id, momo.Some(m.fee)
		return fmt.Sprintf("You Demo Subscriber (*********999) have via agent: %s (%s), withdrawn %d RWF from your mobile money account: 40000009 at %s and you can now collect your money in cash. Your new balance: %d RWF. Fee paid: %d RWF. Message from agent: 1. Financial Transaction Id: %s.",
			m.name, m.number, m.amount, stamp, m.balance, m.fee, m.id), tx
	}
}

// renderGhana writes MTN Ghana's shapes. Its "Payment received" and
// "Payment made" messages state no time, so those transactions are timed
// by their arrival.
func renderGhana(w *wallet, k msgKind, m msgFields) (string, momo.Transaction) {
	f := w.currency.Format
	switch k {
	case msgReceived, msgSalary:
		noTime := m
		noTime.at = time.Time{}
		tx := w.tx(momo.KindReceived, momo.In, noTime, "payment_received")
		tx.TransactionID, tx.CounterpartyNumber, tx.Fee = m.id, "", momo.Some(0)
		return fmt.Sprintf("Payment received for GHS %s from %s Current Balance: GHS %s . Available Balance: GHS %s. Reference: %s. Transaction ID: %s. TRANSACTION FEE: 0.00",
			f(m.amount), m.name, f(m.balance), f(m.balance), orDash(m.note), m.id), tx
	case msgSent:
		noTime := m
		noTime.at = time.Time{}
		tx := w.tx(momo.KindSent, momo.Out, noTime, "payment_made")
		tx.TransactionID, tx.CounterpartyNumber, tx.Fee = m.id, "", momo.Some(m.fee)
		return fmt.Sprintf("Payment made for GHS %s to %s Current Balance: GHS %s . Available Balance: GHS %s. Reference: %s. Transaction ID: %s. Fee charged: GHS%s Tax charged: 0. Download the MoMo App for a Faster & Easier Experience. Click here: https://mtnmymomo.onelink.me/XJOt/MoMo",
			f(m.amount), m.name, f(m.balance), f(m.balance), orDash(m.note), m.id, f(m.fee)), tx
	case msgWithdrawal:
		noTime := m
		noTime.at = time.Time{}
		tx := w.tx(momo.KindWithdrawal, momo.Out, noTime, "cash_out")
		tx.TransactionID, tx.CounterpartyNumber, tx.Fee = m.id, "", momo.Some(m.fee)
		return fmt.Sprintf("Cash Out made for GHS%s to %s. Current Balance: GHS%s Financial Transaction Id: %s. Cash-out fee is charged automatically from your MTN MoMo wallet. Please do not pay any fees to the Agent. Thank you for using MTN MobileMoney. Fee charged: GHS%s.",
			f(m.amount), m.name, f(m.balance), m.id, f(m.fee)), tx
	default: // msgPayment, msgAirtime
		kind, template := momo.KindPayment, "payment_completed"
		if k == msgAirtime {
			kind, m.name, m.number = momo.KindAirtime, "MTN AIRTIME", ""
		}
		tx := w.tx(kind, momo.Out, m, template)
		tx.TransactionID, tx.CounterpartyNumber, tx.Fee = m.id, "", momo.Some(0)
		return fmt.Sprintf("Your payment of GHS %s to %s has been completed at %s. Your new balance: GHS %s. Fee was GHS 0.00 Tax was GHS -. Reference: -. Financial Transaction Id: %s.",
			f(m.amount), m.name, m.at.Format(rwStamp), f(m.balance), m.id), tx
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
