// Opens hive-driver sessions with the session configurations given as JSON
// and prints, for each, the engine id (SET kitsune.engine.id) or the error.
// usage: node tenancy.js <host> <port> <user> '<json list of conf maps>'
'use strict';
const hive = require('hive-driver');
const { TCLIService, TCLIService_types: T } = hive.thrift;

const [host, port, user, confsJSON] = process.argv.slice(2);

async function main() {
  const out = [];
  for (const configuration of JSON.parse(confsJSON)) {
    const client = new hive.HiveClient(TCLIService, T);
    client.on('error', () => {});
    await client.connect({ host, port: Number(port), options: {} },
      new hive.connections.TcpConnection(), new hive.auth.PlainTcpAuthentication({ username: user, password: 'pw' }));
    try {
      const session = await client.openSession({ client_protocol: T.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10, configuration });
      const utils = new hive.HiveUtils(T);
      const one = async (q) => {
        const op = await session.executeStatement(q);
        await utils.waitUntilReady(op, false);
        await utils.fetchAll(op);
        const rows = utils.getResult(op).getValue();
        await op.close();
        return rows[0];
      };
      const engine = (await one('SET kitsune.engine.id')).value;
      const memory = (await one("SELECT current_setting('memory_limit') AS m")).m;
      out.push({ engine, memory });
      await session.close();
    } catch (e) {
      out.push({ error: String(e.message || e) });
    }
    await client.close();
  }
  console.log(JSON.stringify(out));
}

main().catch((e) => { console.error(e); process.exit(1); });
