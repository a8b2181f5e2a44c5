package risk

import "testing"

// TestTrustAndBlockFollowTheLatestWord: trusting unblocks, blocking
// untrusts, so the lists never say both.
func TestTrustAndBlockFollowTheLatestWord(t *testing.T) {
	var s Settings
	s.Trust("k")
	if !s.Trusted["k"] || s.Blocked["k"] {
		t.Fatalf("after trust: %+v", s)
	}
	s.Record("k", AnswerBlock)
	if s.Trusted["k"] || !s.Blocked["k"] || s.Feedback["k"].Fraud != 1 {
		t.Fatalf("after block: %+v", s)
	}
	s.Trust("k")
	if !s.Trusted["k"] || s.Blocked["k"] {
		t.Fatalf("after trusting again: %+v", s)
	}
	s.Trust("")
	if len(s.Trusted) != 1 {
		t.Fatal("an empty key was trusted")
	}
}
