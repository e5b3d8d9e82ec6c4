package tenancy

import (
	"math/rand/v2"
	"sync"
)

// PoolChooser picks pool members as Kyuubi does: RANDOM at random,
// POLLING round robin per tenant and pool.
type PoolChooser struct {
	mu   sync.Mutex
	next map[string]int
}

var _ Chooser = (*PoolChooser)(nil)

// NewPoolChooser returns a PoolChooser.
func NewPoolChooser() *PoolChooser { return &PoolChooser{next: map[string]int{}} }

// Member implements Chooser.
func (c *PoolChooser) Member(tenant, pool string, size int, policy string) int {
	if policy == "RANDOM" {
		return rand.IntN(size)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k := tenant + "/" + pool
	i := c.next[k] % size
	c.next[k] = i + 1
	return i
}
