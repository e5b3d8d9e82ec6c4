package eventlog

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
)

func TestWritesDayFilesPerType(t *testing.T) {
	dir := t.TempDir()
	l := New(Config{Dir: dir, Server: "gw:10099"}, zap.NewNop())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = l.Run(ctx); close(done) }()
	l.Emit(SessionEvent, map[string]any{"sessionId": "s1", "user": "alice"})
	l.Emit(SessionEvent, map[string]any{"sessionId": "s2", "user": "bob"})
	l.Emit(OperationEvent, map[string]any{"statementId": "o1"})
	cancel()
	<-done
	day := "day=" + time.Now().UTC().Format("20060102")
	b, err := os.ReadFile(filepath.Join(dir, SessionEvent, day, "gw_10099.json"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var first map[string]any
	if len(lines) != 2 || json.Unmarshal([]byte(lines[0]), &first) != nil || first["user"] != "alice" {
		t.Errorf("session events: %q", b)
	}
	if _, err := os.Stat(filepath.Join(dir, OperationEvent, day, "gw_10099.json")); err != nil {
		t.Errorf("no operation event file: %v", err)
	}
}

// Emit never blocks: with nobody writing, a full queue drops and counts.
func TestFullQueueDrops(t *testing.T) {
	dropped := 0
	l := New(Config{Queue: 2, Dropped: func() { dropped++ }}, zap.NewNop())
	for i := 0; i < 5; i++ {
		l.Emit(ServerInfo, map[string]any{"i": i})
	}
	if dropped != 3 {
		t.Errorf("dropped %d of 5 with a queue of 2", dropped)
	}
	var nilLogger *Logger
	nilLogger.Emit(ServerInfo, nil) // no event logger configured
}

type sink struct{ got []string }

func (s *sink) Write(typ string, _ map[string]any) error { s.got = append(s.got, typ); return nil }

func TestCustomSink(t *testing.T) {
	s := &sink{}
	l := New(Config{Custom: s}, zap.NewNop())
	ctx, cancel := context.WithCancel(context.Background())
	l.Emit(OperationEvent, map[string]any{})
	cancel()
	_ = l.Run(ctx)
	if len(s.got) != 1 || s.got[0] != OperationEvent {
		t.Errorf("the sink got %v", s.got)
	}
}
