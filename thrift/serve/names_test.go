package serve

import "testing"

func TestNames(t *testing.T) {
	if got := HandleID([]byte{0x0b, 0x1e, 0x4c, 0x8e, 0x2a, 0x4d, 0x4f, 0x5e, 0x9c, 0x1a, 0x5d, 0x3e, 0x2f, 0x1a, 0x0b, 0x9c}); got != "0b1e4c8e-2a4d-4f5e-9c1a-5d3e2f1a0b9c" {
		t.Errorf("HandleID: %s", got)
	}
	if got := HandleID([]byte("op-1")); got != "6f702d31" {
		t.Errorf("HandleID of a short id: %s", got)
	}
	for in, want := range map[string]string{"FINISHED_STATE": "FINISHED", "TIMEDOUT_STATE": "TIMEOUT", "UKNOWN_STATE": "UNKNOWN", "": "UNKNOWN", "ERROR_STATE": "ERROR"} {
		if got := StateName(in); got != want {
			t.Errorf("StateName(%q) = %s, want %s", in, got, want)
		}
	}
	if HostOf("10.1.2.3:5000") != "10.1.2.3" || HostOf("local") != "local" {
		t.Error("HostOf")
	}
}
