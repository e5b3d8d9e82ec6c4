package auth

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"go.uber.org/zap"
)

// ErrKinit is a failed kinit.
var ErrKinit = errors.New("kinit failed")

// KinitConfig configures Kinit.
type KinitConfig struct {
	Principal   string
	Keytab      string
	Interval    time.Duration
	MaxAttempts int
	// Retry is the pause after a failed renewal (a minute when zero).
	Retry time.Duration
	// Command is the kinit program ("kinit" when empty).
	Command string
}

// Kinit keeps the gateway's own Kerberos ticket fresh with MIT kinit -kt,
// as Kyuubi's kinit service does, so that what the gateway starts
// (spark-submit --proxy-user, Hadoop clients) finds a valid ticket in the
// credential cache it inherits (KRB5CCNAME).
type Kinit struct {
	cfg KinitConfig
	lg  *zap.Logger
}

// NewKinit returns a Kinit; call Login once, then Run.
func NewKinit(cfg KinitConfig, lg *zap.Logger) *Kinit {
	if cfg.Command == "" {
		cfg.Command = "kinit"
	}
	if cfg.Retry <= 0 {
		cfg.Retry = time.Minute
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 1
	}
	if cfg.Interval <= 0 {
		cfg.Interval = time.Hour
	}
	return &Kinit{cfg: cfg, lg: lg}
}

// Login runs kinit once; its error names the keys to fix and carries
// kinit's own message (which never contains key material).
func (k *Kinit) Login(ctx context.Context) error {
	out, err := exec.CommandContext(ctx, k.cfg.Command, "-kt", k.cfg.Keytab, k.cfg.Principal).CombinedOutput()
	if err != nil {
		var ee *exec.Error
		if errors.As(err, &ee) {
			return fmt.Errorf("%w: %s is not installed (MIT Kerberos clients, Debian krb5-user): %v", ErrKinit, k.cfg.Command, err)
		}
		return fmt.Errorf("%w for kitsune.kinit.principal=%s with kitsune.kinit.keytab=%s: %s", ErrKinit, k.cfg.Principal, k.cfg.Keytab, strings.TrimSpace(string(out)))
	}
	k.lg.Info("kinit done", zap.String("principal", k.cfg.Principal))
	return nil
}

// Run renews the ticket every interval until ctx is done; a failed renewal
// is retried up to MaxAttempts times before waiting for the next interval.
func (k *Kinit) Run(ctx context.Context) error {
	t := time.NewTimer(k.cfg.Interval)
	defer t.Stop()
	failures := 0
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		err := k.Login(ctx)
		switch {
		case err == nil:
			failures = 0
			t.Reset(k.cfg.Interval)
		case ctx.Err() != nil:
			return nil
		default:
			failures++
			if failures >= k.cfg.MaxAttempts {
				k.lg.Error("kinit keeps failing: the gateway's ticket will expire; check the KDC and kitsune.kinit.keytab",
					zap.Int("attempts", failures), zap.Error(err))
				failures = 0
				t.Reset(k.cfg.Interval)
			} else {
				k.lg.Warn("kinit failed, retrying", zap.Int("attempt", failures), zap.Error(err))
				t.Reset(k.cfg.Retry)
			}
		}
	}
}
