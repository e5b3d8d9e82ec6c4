package session

import (
	"context"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/session/store"
)

// batchInterval is how long operation records gather before they are
// written in one transaction: no statement waits for a store commit.
const batchInterval = 5 * time.Millisecond

// maxQueued bounds the records waiting for a store that does not answer.
const maxQueued = 100_000

// opBatch gathers the operation records another gateway needs to adopt an
// operation. An operation opened and closed within one interval is never
// written.
type opBatch struct {
	mu   sync.Mutex
	put  map[string]store.Operation
	del  map[string]struct{}
	wake chan struct{}
}

func newOpBatch() *opBatch {
	return &opBatch{put: map[string]store.Operation{}, del: map[string]struct{}{}, wake: make(chan struct{}, 1)}
}

func (b *opBatch) signal() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// add queues an operation's record.
func (b *opBatch) add(o store.Operation) {
	b.mu.Lock()
	if len(b.put)+len(b.del) < maxQueued {
		b.put[o.ID] = o
		delete(b.del, o.ID)
	}
	b.mu.Unlock()
	b.signal()
}

// remove queues an operation's deletion, or drops its record if it was
// never written.
func (b *opBatch) remove(id string) {
	b.mu.Lock()
	if _, queued := b.put[id]; queued {
		delete(b.put, id)
		b.mu.Unlock()
		return
	}
	if len(b.put)+len(b.del) < maxQueued {
		b.del[id] = struct{}{}
	}
	b.mu.Unlock()
	b.signal()
}

// take empties the queue.
func (b *opBatch) take() ([]store.Operation, []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	put := make([]store.Operation, 0, len(b.put))
	for _, o := range b.put {
		put = append(put, o)
	}
	del := make([]string, 0, len(b.del))
	for id := range b.del {
		del = append(del, id)
	}
	b.put, b.del = map[string]store.Operation{}, map[string]struct{}{}
	return put, del
}

// requeue puts back what a failed write held, unless newer records
// replaced it meanwhile.
func (b *opBatch) requeue(put []store.Operation, del []string) {
	b.mu.Lock()
	for _, o := range put {
		if _, gone := b.del[o.ID]; !gone && len(b.put)+len(b.del) < maxQueued {
			if _, newer := b.put[o.ID]; !newer {
				b.put[o.ID] = o
			}
		}
	}
	for _, id := range del {
		if _, reopened := b.put[id]; !reopened && len(b.put)+len(b.del) < maxQueued {
			b.del[id] = struct{}{}
		}
	}
	b.mu.Unlock()
}

// writeOperations writes the queued records every batchInterval until ctx
// is done, then once more.
func (m *Manager) writeOperations(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			m.flushOperations(fctx)
			cancel()
			return
		case <-m.batch.wake:
		}
		select {
		case <-ctx.Done():
		case <-time.After(batchInterval):
		}
		m.flushOperations(ctx)
	}
}

func (m *Manager) flushOperations(ctx context.Context) {
	put, del := m.batch.take()
	if len(put) == 0 && len(del) == 0 {
		return
	}
	if err := m.cfg.Store.RecordOperations(ctx, put, del); err != nil {
		m.lg.Warn("could not record operations in the metadata store; retrying", zap.Int("operations", len(put)+len(del)), zap.Error(err))
		m.batch.requeue(put, del)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
			m.batch.signal()
		}
	}
}
