package risk

import (
	"slices"
	"testing"
	"time"

	"github.com/momoanalytics/momo"
)

func TestCounterpartyLists(t *testing.T) {
	night := transfer(5_000, 100_000, clock(23, 0, 0)) // 15 points of night alone
	eric := night.CounterpartyKey
	tests := []struct {
		name      string
		s         Settings
		want      []Rule
		wantScore int
	}{
		{"no lists", settings(), []Rule{RuleNight}, 15},
		{"blocked", Settings{Location: kigali, Blocked: map[string]bool{eric: true}}, []Rule{RuleBlocked, RuleNight}, 75},
		{"trusted cancels spending points", Settings{Location: kigali, Trusted: map[string]bool{eric: true}}, []Rule{RuleNight, RuleTrusted}, 0},
		{"blocked and trusted: blocked wins", Settings{Location: kigali, Blocked: map[string]bool{eric: true}, Trusted: map[string]bool{eric: true}}, []Rule{RuleBlocked, RuleNight}, 75},
		{"reported as fraud", Settings{Location: kigali, Feedback: map[string]Feedback{eric: {Fraud: 1}}}, []Rule{RuleReportedFraud, RuleNight}, 55},
		{"confirmed genuine", Settings{Location: kigali, Feedback: map[string]Feedback{eric: {Legitimate: 2}}}, []Rule{RuleNight, RuleConfirmedLegitimate}, 0},
		{"more fraud answers than genuine", Settings{Location: kigali, Feedback: map[string]Feedback{eric: {Legitimate: 1, Fraud: 2}}}, []Rule{RuleReportedFraud, RuleNight}, 55},
		{"as many of each: fraud", Settings{Location: kigali, Feedback: map[string]Feedback{eric: {Legitimate: 1, Fraud: 1}}}, []Rule{RuleReportedFraud, RuleNight}, 55},
		{"changed their mind", Settings{Location: kigali, Feedback: map[string]Feedback{eric: {Legitimate: 2, Fraud: 1}}}, []Rule{RuleNight, RuleConfirmedLegitimate}, 0},
		{"trusted, then reported", Settings{Location: kigali, Trusted: map[string]bool{eric: true}, Feedback: map[string]Feedback{eric: {Fraud: 1}}}, []Rule{RuleReportedFraud, RuleNight}, 55},
		{"someone else is blocked", Settings{Location: kigali, Blocked: map[string]bool{keyOf(grace): true}}, []Rule{RuleNight}, 15},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Assess(DefaultConfig(), night, tt.s, History{})
			if got := rulesOf(v.Signals); !slices.Equal(got, tt.want) || v.Score != tt.wantScore {
				t.Errorf("signals %v score %d, want %v %d", got, v.Score, tt.want, tt.wantScore)
			}
		})
	}
}

// TestReliefIsBounded: relief never takes the score below zero and never
// cancels fake-SMS points.
func TestReliefIsBounded(t *testing.T) {
	trusted := Settings{Location: kigali, Trusted: map[string]bool{keyOf(eric): true}}
	v := Assess(DefaultConfig(), transfer(5_000, 100_000, clock(12, 0, 0)), trusted, History{})
	if v.Score != 0 || len(v.Signals) != 0 {
		t.Errorf("nothing to relieve: score %d, %v", v.Score, v.Reasons)
	}

	c := transfer(5_000, 100_000, clock(23, 0, 0))
	c.Message.Sender = "+250788000417"
	v = Assess(DefaultConfig(), c, trusted, History{})
	if v.Score != 60 || !v.FakeSMS {
		t.Errorf("a trusted name in an SMS from a phone: score %d (want 60 = sender 60 + night 15 - 15), %v", v.Score, v.Reasons)
	}
}

func TestBlockedSenderOfMoney(t *testing.T) {
	c := rwMessage(msgReceived, 5_000, 5_000, clock(12, 0, 0), eric)
	v := Assess(DefaultConfig(), c, Settings{Location: kigali, Blocked: map[string]bool{keyOf(eric): true}}, History{})
	if !fired(v, RuleBlocked) || v.Reasons[0] != "The sender of this money is on your blocked list." {
		t.Errorf("money from a blocked number: %v", v.Reasons)
	}
}

func TestParseAnswer(t *testing.T) {
	tests := []struct {
		in      string
		want    Answer
		wantErr bool
	}{
		{"YES", AnswerLegitimate, false}, {" no ", AnswerFraud, false}, {"Block", AnswerBlock, false},
		{"legitimate", AnswerLegitimate, false}, {"fraud", AnswerFraud, false},
		{"maybe", "", true}, {"", "", true},
	}
	for _, tt := range tests {
		got, err := ParseAnswer(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ParseAnswer(%q) = %q, %v", tt.in, got, err)
		}
		if err != nil && momo.ErrorCode(err) != momo.CodeInvalid {
			t.Errorf("ParseAnswer(%q) error code %s", tt.in, momo.ErrorCode(err))
		}
	}
}

// TestFeedbackChangesLaterScores: the subscriber's answers to an alert
// change the next score for that counterparty, and only for it.
func TestFeedbackChangesLaterScores(t *testing.T) {
	s := Settings{Location: kigali, Trusted: map[string]bool{keyOf(eric): true}}
	night := transfer(5_000, 100_000, clock(23, 0, 0))
	other := rwMessage(msgSent, 5_000, 100_000, clock(23, 0, 0), grace)

	steps := []struct {
		answer    Answer
		wantEric  int
		wantGrace int
	}{
		{AnswerFraud, 55, 15},       // reported 40 + night 15; the report outweighs the trust
		{AnswerBlock, 100, 15},      // blocked 60 + reported 40 + night 15, capped
		{AnswerLegitimate, 100, 15}, // one "that was me" against two frauds: still blocked
	}
	for i, st := range steps {
		s.Record(keyOf(eric), st.answer)
		if got := Assess(DefaultConfig(), night, s, History{}).Score; got != st.wantEric {
			t.Errorf("after answer %d (%s): Eric scores %d, want %d", i+1, st.answer, got, st.wantEric)
		}
		if got := Assess(DefaultConfig(), other, s, History{}).Score; got != st.wantGrace {
			t.Errorf("after answer %d: Grace scores %d, want %d", i+1, got, st.wantGrace)
		}
	}
	if s.Trusted[keyOf(eric)] || !s.Blocked[keyOf(eric)] {
		t.Errorf("BLOCK must move Eric from trusted to blocked: %+v", s)
	}
}

// TestSendBackAfterFake: money sent to someone an earlier fake named is
// the scam's pay-off, whatever else the transfer looks like; the
// subscriber can clear the suspicion.
func TestSendBackAfterFake(t *testing.T) {
	crook := party{"Jean Fictif", "250790000913"}
	r := Replay{Config: DefaultConfig(), Settings: settings()}

	fake := rwMessage(msgReceived, 50_000, 52_000, clock(10, 0, 0), crook)
	fake.Message.Sender = "+250790000913"
	if v := r.Next(fake); !v.FakeSMS {
		t.Fatalf("the fake was not judged fake: %v", v.Reasons)
	}

	back := rwMessage(msgSent, 50_000, 1_000, clock(10, 40, 0), crook)
	v := Assess(r.Config, back, r.Settings, r.History)
	if !fired(v, RuleNamedInFake) || !v.Level.AtLeast(High) {
		t.Errorf("sending it back: %d %s %v", v.Score, v.Level, v.Reasons)
	}

	r.Settings.Record(back.CounterpartyKey, AnswerLegitimate)
	if v := Assess(r.Config, back, r.Settings, r.History); fired(v, RuleNamedInFake) {
		t.Errorf("a confirmed counterparty is no longer a suspect: %v", v.Reasons)
	}
}

// TestSuspectsComeOnlyFromFakeReceipts: a genuine payment misjudged as
// fake (it arrived hours late) must not make its shop a suspect.
func TestSuspectsComeOnlyFromFakeReceipts(t *testing.T) {
	r := Replay{Config: DefaultConfig(), Settings: settings()}
	late := rwMessage(msgPayment, 2_000, 50_000, clock(9, 0, 0), shop)
	late.Message.ReceivedAt = late.Message.ReceivedAt.Add(5 * time.Hour)
	if v := r.Next(late); !v.FakeSMS {
		t.Fatalf("a 5-hour delay should read as fake: %v", v.Reasons)
	}
	next := rwMessage(msgPayment, 2_000, 48_000, clock(15, 0, 0), shop)
	if v := r.Next(next); fired(v, RuleNamedInFake) {
		t.Errorf("the shop became a suspect: %v", v.Reasons)
	}
}
