package web

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/momoanalytics/momo"
)

// An upload holds its batches, its buffers and a database connection for
// as long as its sender takes: over a slow link, up to uploadTime. Without
// a bound, a few stalled uploads pin hundreds of megabytes.

// uploadWait is how long an upload waits for a free slot before it is
// refused: long enough to ride out a burst, short enough that the browser
// still shows the answer.
const uploadWait = 5 * time.Second

// Retry-After of the two refusals: a user's own upload usually ends
// within a minute; a full server frees a slot sooner.
const (
	retryOwnUpload = 60 * time.Second
	retryBusy      = 30 * time.Second
)

var (
	errUploadRunning = errors.New("an upload of this user is still running")
	errUploadsBusy   = errors.New("every upload slot is taken")
)

// uploadGate admits uploads: one at a time per user, and at most
// cap(slots) at once in this process. With several instances each counts
// its own.
type uploadGate struct {
	slots chan struct{}
	wait  time.Duration

	mu      sync.Mutex
	running map[momo.UserID]bool
}

func newUploadGate(slots int, wait time.Duration) *uploadGate {
	return &uploadGate{slots: make(chan struct{}, slots), wait: wait, running: map[momo.UserID]bool{}}
}

// enter admits an upload of user, which calls leave when it is done. A
// user with an upload running is refused at once (errUploadRunning); when
// every slot stays taken for g.wait, or ctx ends first, the upload is
// refused with errUploadsBusy.
func (g *uploadGate) enter(ctx context.Context, user momo.UserID) (leave func(), err error) {
	g.mu.Lock()
	if g.running[user] {
		g.mu.Unlock()
		return nil, errUploadRunning
	}
	g.running[user] = true
	g.mu.Unlock()

	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return func() { <-g.slots; g.done(user) }, nil
	case <-t.C:
	case <-ctx.Done():
	}
	g.done(user)
	return nil, errUploadsBusy
}

func (g *uploadGate) done(user momo.UserID) {
	g.mu.Lock()
	delete(g.running, user)
	g.mu.Unlock()
}

// isRunning reports whether user has an upload admitted or waiting.
func (g *uploadGate) isRunning(user momo.UserID) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.running[user]
}
