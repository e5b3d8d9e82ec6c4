// End-to-end checks of kitsune with the strictest client we can run: npm
// @databricks/sql over HTTPS (it checks handles, flags, result formats).
// usage: node dbsql.js <host> <port> <user> <ca.pem> <arrow:on|off> <direct:on|off>
// Prints one JSON object with what it saw; exits 1 on an unexpected failure.
'use strict';
const fs = require('fs');
const { DBSQLClient, thrift } = require('@databricks/sql');

const [host, port, user, ca, arrow, direct] = process.argv.slice(2);
const T = thrift.TCLIService_types;

async function main() {
  const client = new DBSQLClient({ logger: { log: () => {} } });
  client.config.arrowEnabled = arrow === 'on';
  await client.connect({
    host, port: Number(port), path: '/cliservice', customCaCert: fs.readFileSync(ca),
    authType: 'custom', provider: { authenticate: async () => ({ Authorization: 'Basic ' + Buffer.from(user + ':pw').toString('base64') }) },
  });
  const session = await client.openSession();
  const out = { sessionId: session.id };
  // Direct results off: maxRows null sends no getDirectResults.
  const opts = (o = {}) => ({ ...(direct === 'on' ? {} : { maxRows: null }), useCloudFetch: false, ...o });
  const all = async (q, o) => {
    const op = await session.executeStatement(q, opts(o));
    const rows = await op.fetchAll();
    const md = await op.getMetadata();
    await op.close();
    return { rows, format: md.resultFormat, lz4: Boolean(md.lz4Compressed) };
  };

  out.dbms = (await session.getInfo(T.TGetInfoType.CLI_DBMS_NAME)).getValue();
  out.version = (await session.getInfo(T.TGetInfoType.CLI_DBMS_VER)).getValue();
  out.one = await all('SELECT 1 AS one');
  out.typed = (await all(`SELECT CAST(7 AS TINYINT) AS ti, CAST(300 AS SMALLINT) AS si, 70000 AS i, CAST(9000000000 AS BIGINT) AS b,
    CAST(1.5 AS FLOAT) AS f, CAST(2.25 AS DOUBLE) AS d, CAST(12.34 AS DECIMAL(10,2)) AS dec, 'text' AS s, true AS t,
    DATE '2024-02-29' AS dt, TIMESTAMP '2024-02-29 13:14:15.5' AS ts, CAST(NULL AS STRING) AS n, array(1, 2) AS arr,
    named_struct('a', 1, 'b', 'x') AS st, map('k', 1) AS m`)).rows[0];

  // DDL and DML: no rows, no error.
  for (const q of ['DROP TABLE IF EXISTS dbx_t', 'CREATE TABLE dbx_t (id INT, name STRING)', "INSERT INTO dbx_t VALUES (1, 'a'), (2, 'b'), (3, NULL)"]) {
    out.ddl = (out.ddl || []).concat([(await all(q)).rows.length]);
  }
  out.table = (await all('SELECT id, name FROM dbx_t ORDER BY id')).rows;

  // Chunked fetch of a result larger than a page.
  const op = await session.executeStatement('SELECT id FROM range(250000)', opts());
  let chunks = 0; let count = 0; let sum = 0;
  do {
    const chunk = await op.fetchChunk({ maxRows: 50000 });
    chunks += 1; count += chunk.length;
    for (const r of chunk) sum += Number(r.id);
  } while (await op.hasMoreRows());
  const md = await op.getMetadata();
  await op.close();
  out.chunked = { chunks, count, sum, format: md.resultFormat, lz4: Boolean(md.lz4Compressed) };

  // Parameters, bound as values.
  out.named = (await all('SELECT :a + 1 AS a, :s AS s, :n AS n', { namedParameters: { a: 41, s: "it's; DROP TABLE dbx_t", n: null } })).rows[0];
  out.ordinal = (await all('SELECT ? * 2 AS x, ? AS y', { ordinalParameters: [21, 'why'] })).rows[0];

  // Errors keep the session usable.
  try {
    await all('SELECT * FROM no_such_table');
    out.error = 'none';
  } catch (e) {
    out.error = String(e.message);
    out.errorState = e.response ? e.response.sqlState || (e.response.status && e.response.status.sqlState) : undefined;
  }
  // A failed statement without rows: its error, read the way an
  // application reads one (fetchAll), and not a lost handle.
  try {
    await all('INSERT INTO no_such_table VALUES (1)');
    out.dmlError = 'none';
  } catch (e) {
    out.dmlError = String(e.message);
  }
  out.afterError = (await all('SELECT 6 * 7 AS answer')).rows[0];

  // Spark's answers on the local engine, as this driver reads them: a
  // struct's fields in their order, a Go function's answer, Spark's error
  // state for a division by zero, and a decimal quotient and average with
  // Spark's types.
  const state = async (q) => {
    try { await all(q); return 'none'; } catch (e) {
      return e.response ? e.response.sqlState || (e.response.status && e.response.status.sqlState) || String(e.message) : String(e.message);
    }
  };
  const spark = (await all("SELECT named_struct('b', 1, 'a', 2) AS st, soundex('Miller') AS sx")).rows[0];
  out.spark = { order: Object.keys(typeof spark.st === 'string' ? JSON.parse(spark.st) : spark.st), soundex: spark.sx,
    divideByZero: await state('SELECT 1 / 0 AS q') };
  {
    const op = await session.executeStatement('SELECT 1.0 / 3 AS q, avg(x) AS a FROM VALUES (CAST(1.25 AS DECIMAL(10,2))), (CAST(2.50 AS DECIMAL(10,2))) AS t(x)', opts());
    const row = (await op.fetchAll())[0];
    const schema = await op.getSchema();
    await op.close();
    const typeOf = (c) => {
      const e = c.typeDesc.types[0].primitiveEntry;
      const q = (e.typeQualifiers && e.typeQualifiers.qualifiers) || {};
      return `${Object.keys(T.TTypeId).find((k) => T.TTypeId[k] === e.type)}(${q.precision ? q.precision.i32Value : ''},${q.scale ? q.scale.i32Value : ''})`;
    };
    out.spark.decimal = { q: String(row.q), a: String(row.a), types: schema.columns.map(typeOf) };
  }

  // Metadata.
  const meta = async (name, p) => {
    const mop = await session[name](p || {});
    const rows = await mop.fetchAll();
    const schema = await mop.getSchema();
    await mop.close();
    return { count: rows.length, first: rows[0], columns: schema ? schema.columns.map((c) => c.columnName) : [] };
  };
  out.meta = {
    catalogs: await meta('getCatalogs'),
    schemas: await meta('getSchemas', { schemaName: 'def%' }),
    tables: await meta('getTables', { schemaName: 'default', tableName: 'dbx\\_%' }),
    columns: await meta('getColumns', { schemaName: 'default', tableName: 'dbx_t' }),
    tableTypes: await meta('getTableTypes'),
    typeInfo: await meta('getTypeInfo'),
    functions: await meta('getFunctions', { functionName: 'nvl' }),
    primaryKeys: await meta('getPrimaryKeys', { schemaName: 'default', tableName: 'dbx_t' }),
  };

  // Cancel a long statement.
  const long = await session.executeStatement('SELECT count(*) FROM range(2000000000) a, range(1000) b', opts());
  await long.cancel();
  try { out.canceled = (await long.status()).operationState; } catch (e) { out.canceled = String(e.message); }
  await long.close();

  await session.close();
  await client.close();
  console.log(JSON.stringify(out));
}

main().catch((e) => { console.error('FAILED', e && e.stack ? e.stack : e); process.exit(1); });
