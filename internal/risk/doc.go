// Package risk scores mobile-money transactions for fraud and judges whether
// an SMS can be genuine.
//
// It is pure: every function reads only its arguments, never the clock, a
// random source, a file or the network, so the same inputs give the same
// verdict on every machine. The caller (ingest, the bots, `momo parse`)
// builds the inputs from the store and keeps the verdicts.
//
// Two families of rules add points to a score from 0 to 100:
//
//   - spending rules for money going out: the hour written in the SMS, a
//     large amount for the currency, an amount far above the subscriber's
//     usual, the daily budget, a burst of transfers, a round amount, a
//     wallet left nearly empty, a counterparty never paid before;
//   - fake-SMS rules for any message, mostly aimed at the "You have
//     received … please send it back" scam: a phone number as sender, an id
//     of the wrong shape or already used for another amount, a balance that
//     does not follow from the last one, a time far from the arrival, a text
//     that nearly but not quite matches the operator's, and requests (money
//     back, a number to call, a link, a PIN) that the operator's own
//     boilerplate never makes.
//
// The subscriber's lists and answers (blocked, trusted, "that was fraud",
// "that was me") move the score for that counterparty, and money sent to
// someone an earlier fake named is the scam's pay-off. Checks that the
// input cannot support, such as the sender of a text pasted into a chat, are
// listed as unchecked rather than passed.
//
// Entry points: Assess (one message against settings and history), Replay
// (a sequence, building the history as it goes), Inspect and Message (one
// message alone, for `momo parse`), and Simulate with Evaluate (the
// labelled synthetic histories behind `momo risk evaluate`).
package risk
