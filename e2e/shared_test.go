//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Shared data on purpose: a writer fills a shared files location; a
// directory of Parquet tables and a DuckDB database are then read by
// exactly the users and groups they name (as <name>.<table>), read-only;
// anybody else's engine reaches none of it, by name or by path.
func TestSharedData(t *testing.T) {
	root := t.TempDir()
	drop, sales := filepath.Join(root, "drop"), filepath.Join(root, "drop", "sales")
	if err := os.MkdirAll(sales, 0o777); err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(root, 0o755)
	g := startGateway(t, "kitsune.session.group.mapping="+writeFile(t, "bob=analysts\ncarol=interns\n"),
		"kitsune.engine.local.shared.drop.path="+drop, "kitsune.engine.local.shared.drop.write.users=wendy",
		"kitsune.engine.local.shared.sales.path="+sales, "kitsune.engine.local.shared.sales.format=parquet",
		"kitsune.engine.local.shared.sales.users=alice", "kitsune.engine.local.shared.sales.groups=analysts",
		"kitsune.engine.local.shared.ref.path="+filepath.Join(drop, "ref.duckdb"), "kitsune.engine.local.shared.ref.format=duckdb",
		"kitsune.engine.local.shared.ref.users=alice,bob")

	// wendy may write into the drop location.
	w := g.gohive(t, "wendy", "NONE", false)
	exec1(t, w, "COPY (SELECT * FROM (VALUES (1, 'north', 10.5), (2, 'south', 20.0)) t(id, region, amount)) TO '"+
		filepath.Join(sales, "orders.parquet")+"' (FORMAT parquet)")
	exec1(t, w, "ATTACH '"+filepath.Join(drop, "ref.duckdb")+"' AS refw")
	exec1(t, w, "CREATE TABLE refw.codes AS SELECT * FROM (VALUES ('N', 'north'), ('S', 'south')) t(code, region)")
	exec1(t, w, "DETACH refw")
	w.Close()

	for _, user := range []string{"alice", "bob"} { // alice by name, bob by his group
		c := g.gohive(t, user, "NONE", false)
		if v := one(t, c, "SELECT sum(amount) AS s FROM sales.orders"); v != "30.5" {
			t.Errorf("%s reads the shared sales.orders: %s", user, v)
		}
		if v := one(t, c, "SELECT count(*) AS n FROM ref.codes"); v != "2" {
			t.Errorf("%s reads the shared ref.codes: %s", user, v)
		}
		// Read-only: neither the database nor the location can be written.
		if _, _, err := tryQuery(c, "INSERT INTO ref.codes VALUES ('E', 'east')"); err == nil {
			t.Errorf("%s wrote into the read-only shared database", user)
		}
		if _, _, err := tryQuery(c, "COPY (SELECT 1 AS x) TO '"+filepath.Join(sales, "evil.parquet")+"' (FORMAT parquet)"); err == nil {
			t.Errorf("%s wrote into the read-only shared location", user)
		}
		c.Close()
	}
	if _, err := os.Stat(filepath.Join(sales, "evil.parquet")); err == nil {
		t.Error("a reader's write reached the shared location")
	}

	// carol is named nowhere: by name or by path, nothing.
	c := g.gohive(t, "carol", "NONE", false)
	defer c.Close()
	for _, q := range []string{"SELECT * FROM sales.orders", "SELECT * FROM ref.codes",
		"SELECT * FROM read_parquet('" + filepath.Join(sales, "orders.parquet") + "')",
		"ATTACH '" + filepath.Join(drop, "ref.duckdb") + "' AS stolen (READ_ONLY)",
		"SELECT * FROM glob('" + drop + "/**')"} {
		rows, _, err := tryQuery(c, q)
		if err == nil {
			t.Errorf("carol: %s answered %v", q, rows)
			continue
		}
		if strings.Contains(q, drop) && !strings.Contains(err.Error(), "sandbox") && !strings.Contains(err.Error(), "Permission") {
			t.Errorf("carol: %s refused without naming the rule: %v", q, err)
		}
	}
}
