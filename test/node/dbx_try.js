const { DBSQLClient } = require('@databricks/sql');
const fs = require('fs');
(async () => {
  const client = new DBSQLClient();
  await client.connect({ host: '127.0.0.1', port: 10010, path: '/cliservice', customCaCert: fs.readFileSync('/tmp/tls/ca.pem'),
    authType: 'custom', provider: { authenticate: async () => ({ Authorization: 'Basic ' + Buffer.from('alice:x').toString('base64') }) } });
  const session = await client.openSession();
  console.log('session', session.id);
  for (const q of ['SELECT 1 AS one, \'x\' AS s', 'SELECT id, id * 1.5 AS d FROM range(250000)']) {
    for (const arrow of [false, true]) {
      const op = await session.executeStatement(q, {});
      const rows = await op.fetchAll();
      console.log(q.slice(0, 30), rows.length, JSON.stringify(rows[0]), JSON.stringify(rows[rows.length-1]));
      await op.close();
    }
  }
  await session.close(); await client.close();
})().catch(e => { console.error('ERR', e); process.exit(1); });
