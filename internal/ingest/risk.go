package ingest

import (
	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/risk"
)

// Assessor judges each parsed message in the order messages arrive, and
// returns the verdict to keep with its transaction, or nil when there is
// nothing to keep.
type Assessor interface {
	Assess(m momo.Message, p momo.Parse, counterpartyKey string) *momo.Risk
}

// Replay assesses a stream of messages with the risk engine, building the
// subscriber's history as it goes. It keeps a verdict for every outgoing
// transaction and for an incoming one that looks forged; incoming money is
// not safe by default.
type Replay struct {
	r risk.Replay
}

// NewReplay starts a replay with the engine's configuration and the
// subscriber's settings.
func NewReplay(cfg risk.Config, s risk.Settings) *Replay {
	return &Replay{r: risk.Replay{Config: cfg, Settings: s}}
}

// Assess implements Assessor.
func (rp *Replay) Assess(m momo.Message, p momo.Parse, counterpartyKey string) *momo.Risk {
	v := rp.r.Next(risk.Candidate{Message: m, Parse: p, CounterpartyKey: counterpartyKey})
	if p.Outcome != momo.OutcomeParsed {
		return nil
	}
	if p.Transaction.Direction != momo.Out && !v.FakeSMS {
		return nil
	}
	return &momo.Risk{Score: v.Score, Level: string(v.Level), Reasons: v.Reasons, FakeSMS: v.FakeSMS}
}
