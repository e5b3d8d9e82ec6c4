package engine

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kitsune-sql/kitsune/conf"
	"github.com/kitsune-sql/kitsune/tenancy"
)

// Queue reservations when a profile does not say.
const (
	defaultReservedCores  = 1
	defaultReservedMemory = 1 << 30
)

// Queues account the cores and memory of running local engines per queue
// (kitsune.engine.local.queues). A launch that does not fit waits, first
// come first served, up to the wait timeout.
type Queues struct {
	wait time.Duration
	// Waited, when set, is told how long each reservation waited, for
	// the metrics; set it before the first Reserve.
	Waited func(queue string, waited time.Duration)

	mu      sync.Mutex
	queues  map[string]*queue
	waiters []*waiter // FIFO over all queues, per queue order kept
}

type queue struct {
	name          string
	cores         int
	memory        int64
	usedCores     int
	usedMemory    int64
	users         map[string]string // engine key → what it holds
	declaredOrder int
}

type waiter struct {
	queue  string
	cores  int
	memory int64
	ready  chan struct{}
}

// ParseQueues reads "name:cores=N,memory=S;…". An empty spec is no queues
// (nil, nil).
func ParseQueues(spec string, wait time.Duration) (*Queues, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, nil
	}
	q := &Queues{wait: wait, queues: map[string]*queue{}}
	for i, part := range strings.Split(spec, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, caps, ok := strings.Cut(part, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("kitsune.engine.local.queues: %q: expected name:cores=N,memory=SIZE", part)
		}
		qu := &queue{name: name, users: map[string]string{}, declaredOrder: i}
		for _, kv := range strings.Split(caps, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
			switch strings.TrimSpace(k) {
			case "cores":
				n, err := strconv.Atoi(strings.TrimSpace(v))
				if err != nil || n <= 0 {
					return nil, fmt.Errorf("kitsune.engine.local.queues: queue %s: cores=%q is not a positive number", name, v)
				}
				qu.cores = n
			case "memory":
				n, err := conf.ParseBytes(v)
				if err != nil || n <= 0 {
					return nil, fmt.Errorf("kitsune.engine.local.queues: queue %s: memory=%q is not a size", name, v)
				}
				qu.memory = n
			default:
				return nil, fmt.Errorf("kitsune.engine.local.queues: queue %s: unknown capacity %q (use cores= and memory=)", name, k)
			}
		}
		if qu.cores == 0 || qu.memory == 0 {
			return nil, fmt.Errorf("kitsune.engine.local.queues: queue %s needs both cores= and memory=", name)
		}
		q.queues[name] = qu
	}
	return q, nil
}

// Names lists the declared queues.
func (q *Queues) Names() []string {
	var out []string
	for n := range q.queues {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Reserve takes room for an engine of key with profile p in its queue and
// returns the function that gives it back.
func (q *Queues) Reserve(ctx context.Context, key tenancy.Key, p conf.Profile) (func(), error) {
	name := p.Queue
	if name == "" {
		name = "default"
	}
	cores, memory := p.Cores, p.Memory
	if cores <= 0 {
		cores = defaultReservedCores
	}
	if memory <= 0 {
		memory = defaultReservedMemory
	}
	q.mu.Lock()
	qu, ok := q.queues[name]
	if !ok {
		q.mu.Unlock()
		return nil, fmt.Errorf("queue %q is not declared in kitsune.engine.local.queues (declared: %s)", name, strings.Join(q.Names(), ", "))
	}
	if cores > qu.cores || memory > qu.memory {
		q.mu.Unlock()
		return nil, fmt.Errorf("queue %s can never fit cores=%d,memory=%s: its capacity is cores=%d,memory=%s (kitsune.engine.local.queues)",
			name, cores, conf.FormatBytes(memory), qu.cores, conf.FormatBytes(qu.memory))
	}
	w := &waiter{queue: name, cores: cores, memory: memory, ready: make(chan struct{})}
	q.waiters = append(q.waiters, w)
	q.grantLocked()
	q.mu.Unlock()

	t := time.NewTimer(q.wait)
	defer t.Stop()
	start := time.Now()
	select {
	case <-w.ready:
	case <-t.C:
	case <-ctx.Done():
	}
	if q.Waited != nil {
		q.Waited(name, time.Since(start))
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	select {
	case <-w.ready:
	default:
		q.removeLocked(w)
		return nil, fmt.Errorf("queue %s is full: capacity cores=%d,memory=%s, in use cores=%d,memory=%s by %s; waited %s (kitsune.engine.queue.wait.timeout)",
			name, qu.cores, conf.FormatBytes(qu.memory), qu.usedCores, conf.FormatBytes(qu.usedMemory), describe(qu.users), q.wait)
	}
	id := key.String() + "#" + NewID()
	qu.users[id] = fmt.Sprintf("%s (cores=%d,memory=%s)", key, cores, conf.FormatBytes(memory))
	var once sync.Once
	return func() {
		once.Do(func() {
			q.mu.Lock()
			defer q.mu.Unlock()
			qu.usedCores -= cores
			qu.usedMemory -= memory
			delete(qu.users, id)
			q.grantLocked()
		})
	}, nil
}

// grantLocked admits waiters in FIFO order per queue: a waiter that does
// not fit blocks the ones behind it in the same queue.
func (q *Queues) grantLocked() {
	blocked := map[string]bool{}
	for _, w := range q.waiters {
		select {
		case <-w.ready:
			continue
		default:
		}
		qu := q.queues[w.queue]
		if blocked[w.queue] {
			continue
		}
		if qu.usedCores+w.cores <= qu.cores && qu.usedMemory+w.memory <= qu.memory {
			qu.usedCores += w.cores
			qu.usedMemory += w.memory
			close(w.ready)
		} else {
			blocked[w.queue] = true
		}
	}
	kept := q.waiters[:0]
	for _, w := range q.waiters {
		select {
		case <-w.ready:
		default:
			kept = append(kept, w)
		}
	}
	q.waiters = kept
}

func (q *Queues) removeLocked(w *waiter) {
	for i, x := range q.waiters {
		if x == w {
			q.waiters = append(q.waiters[:i], q.waiters[i+1:]...)
			break
		}
	}
	q.grantLocked()
}

func describe(users map[string]string) string {
	if len(users) == 0 {
		return "nothing"
	}
	var out []string
	for _, u := range users {
		out = append(out, u)
	}
	sort.Strings(out)
	return strings.Join(out, "; ")
}

// Waiting counts the reservations waiting for room, by queue.
func (q *Queues) Waiting() map[string]int {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := map[string]int{}
	for _, w := range q.waiters {
		out[w.queue]++
	}
	return out
}
