package spark

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStubValidatesLikeSparkSubmit keeps the test stand-in honest: it
// refuses what spark-submit refuses, with Spark's messages.
func TestStubValidatesLikeSparkSubmit(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--class", thriftServerClass, "--master", "yarn", "--deploy-mode", "cluster", "spark-internal"}, "Cluster deploy mode is not applicable to Spark Thrift server."},
		{[]string{"--class", thriftServerClass, "--master", "yarn", "--bogus", "x", "spark-internal"}, "Unrecognized option: --bogus"},
		{[]string{"--class", thriftServerClass, "--master", "nowhere", "spark-internal"}, "Master must either be yarn or start with spark, mesos, k8s, or local"},
		{[]string{"--class", thriftServerClass, "--master", "yarn", "--conf", "novalue", "spark-internal"}, "Invalid argument to --conf: novalue"},
		{[]string{"--master", "yarn"}, "Missing application resource"},
	} {
		out, err := exec.Command("testdata/spark-submit", tc.args...).CombinedOutput()
		if err == nil || !strings.Contains(string(out), tc.want) {
			t.Errorf("%v: %v %s, want %q", tc.args, err, out, tc.want)
		}
	}
}
