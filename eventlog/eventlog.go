package eventlog

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.uber.org/zap"
)

// The event types, each a directory of its own.
const (
	ServerInfo     = "kitsune_server_info"
	SessionEvent   = "kitsune_session_event"
	OperationEvent = "kitsune_operation_event"
)

// Sink takes events (CUSTOM loggers, in a program that embeds kitsune).
type Sink interface {
	Write(eventType string, event map[string]any) error
}

// Config configures a Logger.
type Config struct {
	// Dir is kitsune.backend.server.event.json.log.path (JSON logger).
	Dir string
	// Server names this gateway: the file name.
	Server string
	// Custom, when set, also gets every event.
	Custom Sink
	// Queue bounds the events waiting to be written (0: 10000).
	Queue int
	// Dropped is told of each event dropped for a full queue.
	Dropped func()
}

type record struct {
	typ   string
	at    time.Time
	event map[string]any
}

// Logger writes events on its own goroutine (Run).
type Logger struct {
	cfg   Config
	lg    *zap.Logger
	queue chan record
	done  chan struct{}
	files map[string]*os.File
}

// New returns a Logger; Run writes what Emit queues.
func New(cfg Config, lg *zap.Logger) *Logger {
	if cfg.Queue <= 0 {
		cfg.Queue = 10000
	}
	if cfg.Dropped == nil {
		cfg.Dropped = func() {}
	}
	return &Logger{cfg: cfg, lg: lg, queue: make(chan record, cfg.Queue), done: make(chan struct{}), files: map[string]*os.File{}}
}

// Emit queues an event of type typ; a full queue drops it.
func (l *Logger) Emit(typ string, event map[string]any) {
	if l == nil {
		return
	}
	select {
	case l.queue <- record{typ: typ, at: time.Now(), event: event}:
	default:
		l.cfg.Dropped()
	}
}

// Run writes queued events until ctx ends, then writes what is left and
// closes its files.
func (l *Logger) Run(ctx context.Context) error {
	defer close(l.done)
	defer l.closeFiles()
	for {
		select {
		case r := <-l.queue:
			l.write(r)
		case <-ctx.Done():
			for {
				select {
				case r := <-l.queue:
					l.write(r)
				default:
					return nil
				}
			}
		}
	}
}

// Wait returns once Run has written everything and returned.
func (l *Logger) Wait() { <-l.done }

func (l *Logger) write(r record) {
	if l.cfg.Custom != nil {
		if err := l.cfg.Custom.Write(r.typ, r.event); err != nil {
			l.lg.Warn("a custom event logger failed", zap.String("type", r.typ), zap.Error(err))
		}
	}
	if l.cfg.Dir == "" {
		return
	}
	f, err := l.file(r.typ, r.at)
	if err == nil {
		var b []byte
		if b, err = json.Marshal(r.event); err == nil {
			_, err = f.Write(append(b, '\n'))
		}
	}
	if err != nil {
		l.lg.Warn("could not write an event", zap.String("type", r.typ), zap.String("dir", l.cfg.Dir), zap.Error(err))
	}
}

// file is the day's file of an event type, opened once.
func (l *Logger) file(typ string, at time.Time) (*os.File, error) {
	path := filepath.Join(l.cfg.Dir, typ, "day="+at.UTC().Format("20060102"), safe(l.cfg.Server)+".json")
	if f := l.files[path]; f != nil {
		return f, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("kitsune.backend.server.event.json.log.path: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return nil, fmt.Errorf("kitsune.backend.server.event.json.log.path: %w", err)
	}
	for p, old := range l.files { // one file per type and day stays open
		if filepath.Dir(filepath.Dir(p)) == filepath.Dir(filepath.Dir(path)) {
			old.Close()
			delete(l.files, p)
		}
	}
	l.files[path] = f
	return f, nil
}

func (l *Logger) closeFiles() {
	for p, f := range l.files {
		f.Close()
		delete(l.files, p)
	}
}

// safe makes a server name (host:port) a file name.
func safe(s string) string { return strings.NewReplacer(":", "_", "/", "_").Replace(s) }
