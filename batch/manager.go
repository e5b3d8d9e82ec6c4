package batch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/google/uuid"
	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/conf"
	"github.com/kitsune-sql/kitsune/engine"
	"github.com/kitsune-sql/kitsune/engine/spark"
	"github.com/kitsune-sql/kitsune/session/store"
)

// The states of a batch, as Kyuubi names them.
const (
	Pending  = "PENDING"
	Running  = "RUNNING"
	Finished = "FINISHED"
	Failed   = "ERROR"
	Canceled = "CANCELED"
)

// Terminal reports whether state is an end state.
func Terminal(state string) bool { return state == Finished || state == Failed || state == Canceled }

// Request is one batch submission.
type Request struct {
	// ID is the client's kitsune.batch.id (a UUID) or empty for a new one.
	ID              string
	User, Addr      string
	Type, Name      string
	Resource, Class string
	Conf            map[string]string
	Args            []string
}

// Plan is what the tenancy and configuration layers make of a batch:
// its profile and effective confs.
type Plan struct {
	Profile conf.Profile
	Confs   map[string]string
}

// Config configures a Manager.
type Config struct {
	Spark spark.Config
	// WorkDir holds <user>/batch-<id>.log.
	WorkDir string
	// Instance names this gateway in the batches it runs.
	Instance string
	// Plan layers and checks a batch's confs (as a session's are).
	Plan func(user string, confs map[string]string) (Plan, error)
	// Admit counts a batch against the connection limits of its user and
	// address; release gives the slot back when it ends.
	Admit func(user, addr string) (release func(), err error)
	// KillCommand (with {refId} and {appId}) kills the application on
	// the cluster; empty on YARN: yarn application -kill.
	KillCommand string
	// StatusCommand (with {appId}) reports the application's state.
	StatusCommand string
	CheckInterval time.Duration
}

// Manager runs this gateway's batches and answers for every batch in the
// store.
type Manager struct {
	cfg   Config
	store store.Store
	lg    *zap.Logger

	// updating serializes update's read-modify-write of a batch record:
	// the watcher and a DELETE both settle a batch's end, and the second
	// must see the first's answer, not overwrite CANCELED with ERROR.
	updating sync.Mutex

	mu struct {
		sync.Mutex
		// mine are the batches this gateway watches, by id, with their
		// limit slots.
		mine map[string]func()
		// canceled are batches a DELETE is stopping.
		canceled map[string]bool
	}
}

// NewManager returns a Manager over st.
func NewManager(cfg Config, st store.Store, lg *zap.Logger) *Manager {
	if cfg.CheckInterval <= 0 {
		cfg.CheckInterval = 5 * time.Second
	}
	m := &Manager{cfg: cfg, store: st, lg: lg}
	m.mu.mine = map[string]func(){}
	m.mu.canceled = map[string]bool{}
	return m
}

// ErrNotFound is an unknown batch id.
var ErrNotFound = errors.New("batch: no such batch")

// Submit accepts a batch and starts its spark-submit. A request whose
// kitsune.batch.id names an existing batch returns that batch and true.
func (m *Manager) Submit(ctx context.Context, req Request) (store.Batch, bool, error) {
	id, err := batchID(req)
	if err != nil {
		return store.Batch{}, false, err
	}
	if b, err := m.store.GetBatch(ctx, id); err == nil {
		return b, true, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return store.Batch{}, false, fmt.Errorf("the metadata store cannot be read: %w", err)
	}
	plan, err := m.cfg.Plan(req.User, req.Conf)
	if err != nil {
		return store.Batch{}, false, err
	}
	release := func() {}
	if m.cfg.Admit != nil {
		if release, err = m.cfg.Admit(req.User, req.Addr); err != nil {
			return store.Batch{}, false, err
		}
	}
	cmd, err := spark.BuildBatch(m.cfg.Spark, spark.BatchRequest{ID: id, User: req.User, Name: req.Name, Class: req.Class,
		Resource: req.Resource, Profile: plan.Profile, Confs: plan.Confs, Args: req.Args})
	if err != nil {
		release()
		return store.Batch{}, false, &RefusedError{Msg: err.Error()}
	}
	dir, err := engine.UserDir(m.cfg.WorkDir, req.User)
	if err != nil {
		release()
		return store.Batch{}, false, err
	}
	b := store.Batch{ID: id, User: req.User, Type: req.Type, Name: req.Name, Resource: req.Resource, Class: req.Class, Conf: req.Conf,
		Args: req.Args, State: Pending, Gateway: m.cfg.Instance, LogPath: filepath.Join(dir, "batch-"+id+".log"), Created: time.Now()}
	if err := m.store.CreateBatch(ctx, b); errors.Is(err, store.ErrExists) {
		// Submitted meanwhile, here or on another gateway: that one runs.
		release()
		existing, gerr := m.store.GetBatch(ctx, id)
		return existing, true, gerr
	} else if err != nil {
		release()
		return store.Batch{}, false, fmt.Errorf("the metadata store cannot record the batch: %w", err)
	}
	if b, err = m.start(ctx, b, cmd, dir); err != nil {
		release()
		return b, false, err
	}
	m.mu.Lock()
	m.mu.mine[id] = release
	m.mu.Unlock()
	m.lg.Info("batch submitted", zap.String("batch", id), zap.String("user", req.User), zap.String("resource", req.Resource), zap.Int("pid", b.PID))
	return b, false, nil
}

// RefusedError is a batch the configuration refuses; Msg names what to
// change.
type RefusedError struct{ Msg string }

func (e *RefusedError) Error() string { return e.Msg }

func batchID(req Request) (string, error) {
	if req.ID == "" {
		return uuid.NewString(), nil
	}
	u, err := uuid.Parse(req.ID)
	if err != nil {
		return "", &RefusedError{Msg: fmt.Sprintf("kitsune.batch.id=%s must be a UUID", req.ID)}
	}
	return u.String(), nil
}

// Get returns a batch from the store: whichever gateway runs it keeps its
// record there.
func (m *Manager) Get(ctx context.Context, id string) (store.Batch, error) {
	b, err := m.store.GetBatch(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return b, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	return b, err
}

// List returns every batch in the store.
func (m *Manager) List(ctx context.Context) ([]store.Batch, error) { return m.store.Batches(ctx) }

// Log returns lines of a batch's spark-submit output, when this gateway
// can read it.
func (m *Manager) Log(ctx context.Context, id string, from, size int) ([]string, int, error) {
	b, err := m.Get(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	if b.Gateway != m.cfg.Instance {
		return nil, 0, fmt.Errorf("%w: the local log of batch %s is kept by gateway %s, which runs it: ask it", ErrNotFound, id, b.Gateway)
	}
	lines, total, err := logLines(b.LogPath, from, size)
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, fmt.Errorf("%w: no local log of batch %s here: it runs on gateway %s", ErrNotFound, id, b.Gateway)
	}
	return lines, total, err
}

// Run watches this gateway's batches until ctx ends: first it picks up
// the ones a previous run of this gateway left running.
func (m *Manager) Run(ctx context.Context) error {
	m.pickUp(ctx)
	t := time.NewTicker(m.cfg.CheckInterval)
	defer t.Stop()
	for {
		m.check(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// pickUp adopts the unfinished batches recorded by this gateway's name.
func (m *Manager) pickUp(ctx context.Context) {
	all, err := m.store.Batches(ctx)
	if err != nil {
		m.lg.Warn("could not list batches to pick up", zap.Error(err))
		return
	}
	for _, b := range all {
		if b.Gateway != m.cfg.Instance || Terminal(b.State) {
			continue
		}
		release := func() {}
		if m.cfg.Admit != nil {
			if r, err := m.cfg.Admit(b.User, ""); err == nil {
				release = r
			}
		}
		m.mu.Lock()
		m.mu.mine[b.ID] = release
		m.mu.Unlock()
		m.lg.Info("picked up a batch", zap.String("batch", b.ID), zap.String("state", b.State), zap.Int("pid", b.PID))
	}
}
