package conf

import (
	"strings"
	"testing"
	"time"
)

// The launch contract round-trips: what the launcher passes is what the
// engine reads, defaults included.
func TestEngineSettingsRoundTrip(t *testing.T) {
	fw := map[string]string{"kitsune.operation.idle.timeout": "PT2M", "kitsune.operation.statement.logging": "true",
		"kitsune.session.idle.timeout": "PT20S", "kitsune.operation.result.max.bytes": "1m"}
	got, err := ParseEngineSettings(LaunchPairs(fw, Profile{Memory: 3 << 30, Cores: 2, Queue: "etl"}))
	if err != nil {
		t.Fatal(err)
	}
	want := EngineSettings{Memory: 3 << 30, Cores: 2, Queue: "etl", StatusPollWait: 500 * time.Millisecond, OperationIdle: 2 * time.Minute,
		SessionIdle: 20 * time.Second, MaxResultBytes: 1 << 20, LogStatements: true}
	if got != want {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	_, err = ParseEngineSettings(map[string]string{"kitsune.engine.cores": "two", "kitsune.operation.idle.timeout": "soon"})
	if err == nil || !strings.Contains(err.Error(), "kitsune.engine.cores") || !strings.Contains(err.Error(), "kitsune.operation.idle.timeout") {
		t.Errorf("bad values: %v", err)
	}
	if d, ok := SessionQueryTimeout(map[string]string{"kyuubi.operation.query.timeout": "PT5S"}); !ok || d != 5*time.Second {
		t.Errorf("session query timeout: %v %v", d, ok)
	}
}
