// Runs statements and metadata calls as one user and prints, for each,
// the rows or the refusal (message and SQLSTATE): the authorization e2e
// test compares them with what the policies allow.
// usage: node authz.js <hive-driver|databricks> <host> <port> <binary|http|https> <user> <ca.pem|-> '<json list of statements>'
'use strict';
const fs = require('fs');

const [driver, host, port, mode, user, ca, stmtsJSON] = process.argv.slice(2);
const statements = JSON.parse(stmtsJSON);

function refusal(e) {
  const r = e.response || {};
  const sqlState = r.sqlState || (r.status && r.status.sqlState) || undefined;
  const errorCode = r.errorCode || (r.status && r.status.errorCode) || (typeof e.code === 'number' ? e.code : undefined); // hive-driver's StatusError keeps only the code
  return { error: String(e.message || e), sqlState, errorCode };
}

async function viaHiveDriver() {
  const hive = require('hive-driver');
  const { TCLIService, TCLIService_types: T } = hive.thrift;
  const client = new hive.HiveClient(TCLIService, T);
  client.on('error', () => {});
  if (mode === 'http') {
    await client.connect({ host, port: Number(port), options: { path: '/cliservice' } },
      new hive.connections.HttpConnection(), new hive.auth.PlainHttpAuthentication({ username: user, password: 'pw' }));
  } else {
    await client.connect({ host, port: Number(port), options: {} },
      new hive.connections.TcpConnection(), new hive.auth.PlainTcpAuthentication({ username: user, password: 'pw' }));
  }
  const utils = new hive.HiveUtils(T);
  const session = await client.openSession({ client_protocol: T.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10 });
  const drain = async (op) => {
    await utils.waitUntilReady(op, false);
    await utils.fetchAll(op);
    const rows = utils.getResult(op).getValue();
    await op.close();
    return rows;
  };
  return { session, client, run: async (q) => drain(await session.executeStatement(q)), drain };
}

async function viaDatabricks() {
  const { DBSQLClient } = require('@databricks/sql');
  const client = new DBSQLClient({ logger: { log: () => {} } });
  await client.connect({
    host, port: Number(port), path: '/cliservice', customCaCert: fs.readFileSync(ca),
    authType: 'custom', provider: { authenticate: async () => ({ Authorization: 'Basic ' + Buffer.from(user + ':pw').toString('base64') }) },
  });
  const session = await client.openSession();
  const drain = async (op) => {
    await op.finished(); // a statement without rows reports its outcome here
    const rows = await op.fetchAll();
    try { await op.close(); } catch (e) { /* closed by the server with its direct results */ }
    return rows;
  };
  return { session, client, run: async (q) => drain(await session.executeStatement(q, { useCloudFetch: false })), drain };
}

// main runs the statements, then the metadata calls, with either driver.
async function main() {
  const { session, client, run, drain } = await (driver === 'databricks' ? viaDatabricks() : viaHiveDriver());
  const out = { statements: [] };
  for (const q of statements) {
    try {
      out.statements.push({ rows: await run(q) });
    } catch (e) {
      out.statements.push(refusal(e));
    }
  }
  out.tables = (await drain(await session.getTables({ schemaName: 'default', tableName: '%' }))).map((r) => r.TABLE_NAME);
  out.columns = (await drain(await session.getColumns({ schemaName: 'default', tableName: 'sales' }))).map((r) => r.COLUMN_NAME);
  await session.close();
  await client.close();
  return out;
}

main()
  .then((out) => console.log(JSON.stringify(out)))
  .catch((e) => { console.error(e); process.exit(1); });
