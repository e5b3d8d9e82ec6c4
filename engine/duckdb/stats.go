package duckdb

import "context"

// Stats are the engine's numbers for its metrics endpoint.
type Stats struct {
	Sessions, Operations int
	OperationsTotal      uint64
	// MemoryBytes is DuckDB's memory in use (duckdb_memory()).
	MemoryBytes int64
}

// Stats reads the engine's numbers; DuckDB's memory is asked for within ctx.
func (s *Service) Stats(ctx context.Context) Stats {
	st := Stats{Sessions: s.sessions.Len(), Operations: s.ops.Len(), OperationsTotal: s.opened.Load()}
	_ = s.db.QueryRowContext(ctx, "SELECT coalesce(sum(memory_usage_bytes), 0)::BIGINT FROM duckdb_memory()").Scan(&st.MemoryBytes)
	return st
}
