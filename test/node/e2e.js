// End-to-end checks of kitsune with the npm hive-driver client.
// usage: node e2e.js <host> <port> <binary|http> <user>
// Prints one JSON object with what it saw; exits 1 on the first failure.
'use strict';
const assert = require('assert');
const hive = require('hive-driver');
const { TCLIService, TCLIService_types: T } = hive.thrift;

const [host, port, mode, user] = process.argv.slice(2);

async function connect() {
  const client = new hive.HiveClient(TCLIService, T);
  client.on('error', (e) => { console.error('client error', e); });
  if (mode === 'http') {
    return client.connect({ host, port: Number(port), options: { path: '/cliservice' } },
      new hive.connections.HttpConnection(), new hive.auth.PlainHttpAuthentication({ username: user, password: 'pw' }));
  }
  return client.connect({ host, port: Number(port), options: {} },
    new hive.connections.TcpConnection(), new hive.auth.PlainTcpAuthentication({ username: user, password: 'pw' }));
}

async function rows(utils, op, orientation) {
  await utils.waitUntilReady(op, false);
  await utils.fetchAll(op, orientation);
  const res = utils.getResult(op).getValue();
  return res;
}

async function main() {
  const out = {};
  const client = await connect();
  const utils = new hive.HiveUtils(T);
  const session = await client.openSession({ client_protocol: T.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10 });
  out.dbms = (await session.getInfo(T.TGetInfoType.CLI_DBMS_NAME)).getValue();
  out.server = (await session.getInfo(T.TGetInfoType.CLI_SERVER_NAME)).getValue();

  // Synchronous execution (hive-driver's default).
  let op = await session.executeStatement(
    "SELECT CAST(1 AS INT) AS i, CAST(2 AS BIGINT) AS b, 'text' AS s, CAST(1.25 AS DOUBLE) AS d, true AS t, " +
    "CAST('12.34' AS DECIMAL(10,2)) AS dec, DATE '2024-02-29' AS dt, TIMESTAMP '2024-02-29 13:14:15.5' AS ts, " +
    "array(1,2,3) AS arr, map('k', 1) AS m, named_struct('a', 1, 'b', 'x') AS st, CAST(NULL AS STRING) AS n, current_user() AS u");
  out.sync = await rows(utils, op);
  out.syncSchema = op.getSchema().columns.map((c) => [c.columnName, Object.keys(T.TTypeId).find((k) => T.TTypeId[k] === c.typeDesc.types[0].primitiveEntry.type)]);
  out.queryId = await op.getQueryId();
  await op.close();

  // Asynchronous execution, then FETCH_FIRST restarts from the top.
  op = await session.executeStatement('SELECT id FROM range(2500) ORDER BY id', { runAsync: true });
  const all = await rows(utils, op); // hive-driver's first fetch is FETCH_FIRST
  // Restart from the top with a raw FETCH_FIRST after reading everything.
  const restart = await op.driver.fetchResults({ operationHandle: op.operationHandle,
    orientation: T.TFetchOrientation.FETCH_FIRST, maxRows: 10, fetchType: 0 });
  const ids = restart.results.columns[0].i64Val.values.map((v) => Number(v.toString()));
  out.async = { count: all.length, firstId: Number(all[0].id), lastId: Number(all[all.length - 1].id),
    restartOffset: Number(restart.results.startRowOffset.toString()), restartIds: ids, restartMore: restart.hasMoreRows };
  await op.close();

  // DDL/DML and metadata.
  for (const q of ['CREATE DATABASE IF NOT EXISTS nodedb', 'DROP TABLE IF EXISTS nodedb.people',
    'CREATE TABLE nodedb.people (id INT PRIMARY KEY, name STRING) USING parquet',
    "INSERT INTO nodedb.people VALUES (1, 'ann'), (2, 'bob')"]) {
    op = await session.executeStatement(q);
    await utils.waitUntilReady(op, false);
    await op.close();
  }
  const meta = {};
  const calls = {
    typeInfo: () => session.getTypeInfo(),
    catalogs: () => session.getCatalogs(),
    schemas: () => session.getSchemas({ schemaName: 'node%' }),
    tables: () => session.getTables({ schemaName: 'nodedb', tableName: '%' }),
    tableTypes: () => session.getTableTypes(),
    columns: () => session.getColumns({ schemaName: 'nodedb', tableName: 'people' }),
    functions: () => session.getFunctions({ functionName: 'abs' }),
    primaryKeys: () => session.getPrimaryKeys({ schemaName: 'nodedb', tableName: 'people' }),
    crossReference: () => session.getCrossReference({ parentSchemaName: 'nodedb', parentTableName: 'people', foreignSchemaName: 'nodedb', foreignTableName: 'people' }),
  };
  for (const [name, call] of Object.entries(calls)) {
    const mop = await call();
    const r = await rows(utils, mop);
    meta[name] = { count: r.length, columns: mop.getSchema().columns.map((c) => c.columnName), first: r[0] || null };
    await mop.close();
  }
  out.meta = meta;

  // A syntax error is an error status, and the session stays usable.
  try {
    await session.executeStatement('SELEC broken');
    out.error = 'no error';
  } catch (e) {
    out.error = String(e.message || e);
  }
  op = await session.executeStatement('SELECT 42 AS answer');
  out.afterError = await rows(utils, op);
  await op.close();

  await session.close();
  await client.close();
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error('hive-driver e2e failed:', e && (e.stack || e.message || e));
  process.exit(1);
});
