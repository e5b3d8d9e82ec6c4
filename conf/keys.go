package conf

import (
	"strings"
	"sync"
)

// Declared returns every configuration key kitsune knows, in documentation
// order. It builds a fresh slice on each call so that no caller can change
// another's view.
func Declared() []Key {
	return []Key{
		// Front end.
		{Name: "kitsune.frontend.bind.host", Type: TypeString, Default: "127.0.0.1", Scope: ScopeServer,
			Doc: "Address the binary and HTTP front ends listen on. Use 0.0.0.0 to listen on every interface."},
		{Name: "kitsune.frontend.thrift.binary.bind.port", Type: TypeInt, Default: "10009", Scope: ScopeServer,
			Doc: "Port of the HiveServer2 Thrift binary transport (0 picks a free port)."},
		{Name: "kitsune.frontend.thrift.http.bind.port", Type: TypeInt, Default: "10010", Scope: ScopeServer,
			Doc: "Port of the HiveServer2 Thrift HTTP transport (0 picks a free port)."},
		{Name: "kitsune.frontend.thrift.http.path", Type: TypeString, Default: "cliservice", Scope: ScopeServer,
			Doc: "URL path of the Thrift HTTP transport (clients set httpPath to it)."},
		{Name: "kitsune.frontend.thrift.http.max.idle.time", Type: TypeDuration, Default: "PT30M", Scope: ScopeServer,
			Doc: "An HTTP connection with no request in flight (an idle keep-alive one, or one opened and never used) is closed after this long, at most 30s for one that never sent a request; clients reconnect transparently."},
		{Name: "kitsune.frontend.thrift.http.cookie.auth.enabled", Type: TypeBool, Default: "true", Scope: ScopeServer,
			Doc: "After an HTTP client authenticates (Kerberos or password), send it a signed cookie that stands for its identity on later requests, so that it does not authenticate again (HiveServer2's hive.server2.auth cookie). Gateways sharing cookie keys (kitsune.frontend.thrift.http.cookie.key.file, or ZooKeeper with DIGEST authentication) honour each other's cookies."},
		{Name: "kitsune.frontend.thrift.http.cookie.max.age", Type: TypeInt, Default: "86400", Scope: ScopeServer,
			Doc: "Seconds an authentication cookie stays valid."},
		{Name: "kitsune.frontend.thrift.http.cookie.name", Type: TypeString, Default: "hive.server2.auth", Scope: ScopeServer,
			Doc: "Name of the authentication cookie."},
		{Name: "kitsune.frontend.thrift.http.cookie.domain", Type: TypeString, Default: "", Scope: ScopeServer,
			Doc: "Domain attribute of the authentication cookie; empty: the host the client connected to."},
		{Name: "kitsune.frontend.thrift.http.cookie.path", Type: TypeString, Default: "", Scope: ScopeServer,
			Doc: "Path attribute of the authentication cookie; empty: the request's path."},
		{Name: "kitsune.frontend.thrift.http.cookie.is.httponly", Type: TypeBool, Default: "true", Scope: ScopeServer,
			Doc: "Mark the authentication cookie HttpOnly (it is always Secure over TLS)."},
		{Name: "kitsune.frontend.thrift.http.cookie.key.file", Type: TypeString, Default: "", Scope: ScopeServer,
			Doc: "A file of keys that sign HTTP authentication cookies, one per line (at least 16 characters; # starts a comment): the first signs, every one is accepted. Rotate by putting a new key first and removing the old one a cookie lifetime later; the file is re-read when it changes. Unset: with ZooKeeper DIGEST authentication a random key kept in a node only the gateways can read (shared by the deployment), else a random key per gateway. Never derived from the engine secret."},
		{Name: "kitsune.frontend.ssl.keystore", Type: TypeString, Default: "", Scope: ScopeServer,
			Doc: "A PEM file with the server certificate (chain) and its private key: set, the binary and HTTP transports speak TLS (1.2 or later) only. Clients: Beeline ssl=true;sslTrustStore=<CA PEM>."},
		{Name: "kitsune.frontend.protocols", Type: TypeList, Default: "THRIFT_BINARY,THRIFT_HTTP,REST", Scope: ScopeServer,
			Choices: []string{"THRIFT_BINARY", "THRIFT_HTTP", "REST"},
			Doc:     "Front-end protocols to serve, comma-separated: the HiveServer2 Thrift binary and HTTP transports, and the REST API (Kyuubi's /api/v1, docs/rest.md)."},
		{Name: "kitsune.frontend.rest.bind.port", Type: TypeInt, Default: "10099", Scope: ScopeServer,
			Doc: "Port of the REST API (0 picks a free port); same bind host and TLS as the Thrift transports."},
		{Name: "kitsune.server.administrators", Type: TypeList, Default: "", Scope: ScopeServer,
			Doc: "Users who may call the REST admin endpoints (/api/v1/admin), see every user's sessions, operations, engines and batches, and act as any user (proxyUser); the user the gateway runs as is always one."},
		{Name: "kitsune.batch.resource.file.max.size", Type: TypeBytes, Default: "0", Scope: ScopeServer,
			Doc: "Largest resource file a batch may upload (multipart POST /api/v1/batches); 0 refuses uploads, so that batches name resources the cluster can read."},
		{Name: "kitsune.batch.id", Type: TypeString, Default: "", Scope: ScopeSession,
			Doc: "In a batch's conf: the batch's id, a UUID chosen by the client; submitting again with the same id returns the existing batch (batchInfo kyuubi.batch.duplicated=true) instead of running it twice."},
		{Name: "kitsune.batch.application.status.command", Type: TypeString, Default: "", Scope: ScopeServer,
			Doc: "Shell command that reports a batch application's state from the resource manager, with {appId} replaced, e.g. yarn application -status {appId}; its output is read for YARN's State and Final-State lines. Empty: the state comes from the spark-submit output alone."},
		{Name: "kitsune.batch.state.check.interval", Type: TypeDuration, Default: "PT5S", Scope: ScopeServer,
			Doc: "How often a gateway checks the batches it runs, and the batches it picked up again after a restart."},
		{Name: "kitsune.frontend.thrift.max.message.size", Type: TypeBytes, Default: "100m", Scope: ScopeServer,
			Doc: "Largest Thrift frame or HTTP request body accepted; larger ones are refused before they are read into memory."},
		{Name: "kitsune.frontend.thrift.login.timeout", Type: TypeDuration, Default: "PT20S", Scope: ScopeServer,
			Doc: "How long a client has to log in: on the binary transport the TLS and SASL handshake must end within it (a client that connects and sends nothing is closed after it); on HTTP, a request's headers must arrive within it (or within kitsune.frontend.thrift.http.max.idle.time when that is shorter). Kyuubi's kyuubi.frontend.thrift.login.timeout, HiveServer2's hive.server2.thrift.login.timeout."},
		{Name: "kitsune.frontend.thrift.login.max.concurrent", Type: TypeInt, Default: "64", Scope: ScopeServer,
			Doc: "Credential checks (a password against LDAP or the like, a Kerberos ticket) running at once, over both transports; it protects the directory and the gateway from a login storm. A login beyond it waits for a free slot within kitsune.frontend.thrift.login.timeout; then the binary transport fails the login and HTTP answers 503, both naming this key. Connections still sending their handshake and logged-in connections hold no slot."},
		{Name: "kitsune.frontend.thrift.resultset.default.fetch.size", Type: TypeInt, Default: "1000", Scope: ScopeServer,
			Doc: "Fetch size advertised to clients in OpenSession as hive.server2.thrift.resultset.default.fetch.size (Hive JDBC 4 needs it)."},
		// Observability.
		{Name: "kitsune.metrics.enabled", Type: TypeBool, Default: "true", Scope: ScopeServer,
			Doc: "Serve Prometheus metrics (docs/operations.md) on kitsune.metrics.prometheus.port."},
		{Name: "kitsune.metrics.prometheus.port", Type: TypeInt, Default: "10019", Scope: ScopeServer,
			Doc: "Port of the Prometheus endpoint (0 picks a free port), on kitsune.frontend.bind.host."},
		{Name: "kitsune.metrics.prometheus.path", Type: TypeString, Default: "/metrics", Scope: ScopeServer,
			Doc: "URL path of the Prometheus endpoint."},
		{Name: "kitsune.backend.server.event.loggers", Type: TypeList, Default: "", Scope: ScopeServer, Choices: []string{"JSON", "CUSTOM"},
			Doc: "Event loggers: JSON writes server, session and operation events as newline-delimited JSON under kitsune.backend.server.event.json.log.path/<event type>/day=<yyyyMMdd>/<server>.json; CUSTOM hands them to the Sink of a program that embeds kitsune. Empty: no events."},
		{Name: "kitsune.backend.server.event.json.log.path", Type: TypeString, Default: "", Scope: ScopeServer,
			Doc: "Directory of the JSON event logs (a file:// URL or a path). Empty: <kitsune.server.work.dir>/events."},
		{Name: "kitsune.audit.log.path", Type: TypeString, Default: "", Scope: ScopeServer,
			Doc: "File of the audit log: one JSON line per authentication attempt and per statement (docs/operations.md). Empty: the audit lines go to the gateway's log under the logger name audit."},
		// High availability.
		{Name: "kitsune.ha.addresses", Type: TypeList, Default: "", Scope: ScopeServer,
			Doc: "ZooKeeper quorum (host:port,host:port). Set: the gateway registers itself there so that clients in ZooKeeper mode find it. Empty: single node, in-process discovery."},
		{Name: "kitsune.ha.namespace", Type: TypeString, Default: "kitsune", Scope: ScopeServer,
			Doc: "ZooKeeper namespace: gateways register under /<namespace> (clients set zooKeeperNamespace to it)."},
		{Name: "kitsune.ha.zookeeper.session.timeout", Type: TypeDuration, Default: "PT60S", Scope: ScopeServer,
			Doc: "ZooKeeper session timeout: a gateway that dies disappears from ZooKeeper after this long."},
		{Name: "kitsune.ha.zookeeper.connection.timeout", Type: TypeDuration, Default: "PT15S", Scope: ScopeServer,
			Doc: "How long the gateway waits for ZooKeeper at start before it fails."},
		{Name: "kitsune.ha.zookeeper.auth.type", Type: TypeString, Default: "NONE", Scope: ScopeServer,
			Choices: []string{"NONE", "DIGEST", "KERBEROS"},
			Doc:     "How kitsune authenticates to ZooKeeper. DIGEST: with kitsune.ha.zookeeper.auth.digest; nodes kitsune creates are then writable only by that identity and readable by everybody (clients must read gateway nodes). KERBEROS is not supported yet and stops the server at start."},
		{Name: "kitsune.ha.zookeeper.auth.digest", Type: TypeString, Default: "", Scope: ScopeServer,
			Doc: "user:password for DIGEST authentication to ZooKeeper."},
		{Name: "kitsune.ha.zookeeper.lost.grace", Type: TypeDuration, Default: "PT0S", Scope: ScopeServer,
			Doc: "When ZooKeeper stays unreachable this long, the gateway stops advertising itself and drains (kitsune.server.graceful.stop.timeout), so that clients go to gateways that still see ZooKeeper. PT0S: never; running sessions always go on while ZooKeeper is away."},
		{Name: "kitsune.ha.zookeeper.publish.configs", Type: TypeBool, Default: "false", Scope: ScopeServer,
			Doc: "Write the gateway's connection settings (hive.server2.thrift.bind.host, port, transport mode, authentication and, with Kerberos, hive.server2.authentication.kerberos.principal) as its znode's data, as HiveServer2 does; false: the data is host:port."},
		{Name: "kitsune.server.info.provider", Type: TypeString, Default: "ENGINE", Scope: ScopeServer,
			Choices: []string{"ENGINE", "SERVER"},
			Doc:     "Who answers GetInfo (the DBMS name and version that JDBC getDatabaseProductName/Version and ODBC drivers show): ENGINE, the session's engine (the local engine answers \"Spark SQL\" and the Spark version it follows, as Spark's Thrift server does); SERVER, the gateway itself (\"kitsune\" and its version). CLI_SERVER_NAME is always \"kitsune\"."},
		{Name: "kitsune.server.graceful.stop.timeout", Type: TypeDuration, Default: "PT0S", Scope: ScopeServer,
			Doc: "On stop (SIGTERM, or its ZooKeeper node deleted) the gateway deregisters, stops accepting, and lets open sessions finish for up to this long before it closes them. PT0S: close them at once."},
		{Name: "kitsune.metadata.store.url", Type: TypeString, Default: "", Scope: ScopeServer,
			Doc: "Metadata store of sessions, operations and engines: postgres://user@host:port/db to share it among gateways (then any gateway serves any HTTP session, and a stopping gateway leaves its HTTP sessions to the others). Empty: an embedded store, <work dir>/metadata.db, for one gateway. Sessions, engines and operations are recorded only in a shared store, where another gateway may take them over: with the embedded store nothing on the session path writes to disk."},
		// Authentication.
		{Name: "kitsune.authentication", Type: TypeList, Default: "NONE", Scope: ScopeServer,
			Choices: []string{"NONE", "NOSASL", "LDAP", "KERBEROS"},
			Doc:     "Client authentication, a list. NONE: SASL PLAIN on the binary transport (and Basic on HTTP), any password accepted; NOSASL: raw binary Thrift with no SASL (must stand alone); LDAP: PLAIN/Basic user and password checked against kitsune.authentication.ldap.*; KERBEROS: SASL GSSAPI on the binary transport and SPNEGO (Authorization: Negotiate) on HTTP. KERBEROS,LDAP accepts both kinds of client on one port (the mechanism the client starts with decides); the first password method checks PLAIN/Basic."},
		{Name: "kitsune.authentication.kerberos.principal", Type: TypeString, Default: "", Scope: ScopeServer,
			Doc: "The gateway's service principal for Kerberos clients, e.g. hive/_HOST@EXAMPLE.COM; _HOST becomes kitsune.frontend.bind.host when it is a name, else this machine's host name, lower-cased. Empty: kitsune.kinit.principal (Kyuubi's convention)."},
		{Name: "kitsune.authentication.kerberos.keytab", Type: TypeString, Default: "", Scope: ScopeServer,
			Doc: "Keytab holding the key of kitsune.authentication.kerberos.principal. Empty: kitsune.kinit.keytab."},
		{Name: "kitsune.authentication.kerberos.principal.rules", Type: TypeString, Default: "", Scope: ScopeServer,
			Doc: "How an authenticated principal becomes the session user, in Hadoop's auth_to_local syntax: RULE:[n:format](regexp)s/pattern/replacement/[g][/L] and DEFAULT (the server's realm: the first component), first match wins, separated by spaces or newlines. Empty: strip the realm and any instance (alice@R and alice/admin@R are alice)."},
		{Name: "kitsune.authentication.kerberos.max.clock.skew", Type: TypeDuration, Default: "PT5M", Scope: ScopeServer,
			Doc: "Largest accepted difference between a client's clock and the gateway's, and how long past its end a ticket is still honoured; also the replay window."},
		{Name: "kitsune.authentication.spnego.principal", Type: TypeString, Default: "", Scope: ScopeServer,
			Doc: "Extra principal accepted on HTTP, usually HTTP/_HOST@EXAMPLE.COM (browsers and curl ask for HTTP/<host>); tickets for kitsune.authentication.kerberos.principal are accepted on HTTP too (what Hive JDBC and gohive ask for)."},
		{Name: "kitsune.authentication.spnego.keytab", Type: TypeString, Default: "", Scope: ScopeServer,
			Doc: "Keytab holding the key of kitsune.authentication.spnego.principal."},
		{Name: "kitsune.authentication.sasl.qop", Type: TypeString, Default: "auth", Scope: ScopeServer,
			Doc: "SASL quality of protection for Kerberos on the binary transport. Only auth (authentication; use TLS, kitsune.frontend.ssl.keystore, for integrity and privacy of the traffic) is supported: auth-int and auth-conf stop startup."},
		{Name: "kitsune.authentication.ldap.url", Type: TypeString, Default: "", Scope: ScopeServer,
			Doc: "The directory: ldap://host:389 or ldaps://host:636."},
		{Name: "kitsune.authentication.ldap.baseDN", Type: TypeString, Default: "", Scope: ScopeServer,
			Doc: "Where users are searched (when no userDNPattern) and groups are matched."},
		{Name: "kitsune.authentication.ldap.userDNPattern", Type: TypeString, Default: "", Scope: ScopeServer,
			Doc: "A user's DN with %s for the user name, e.g. uid=%s,ou=people,dc=example,dc=com; empty: search by guidKey under baseDN."},
		{Name: "kitsune.authentication.ldap.guidKey", Type: TypeString, Default: "uid", Scope: ScopeServer,
			Doc: "The attribute holding the user name when users are searched."},
		{Name: "kitsune.authentication.ldap.binddn", Type: TypeString, Default: "", Scope: ScopeServer,
			Doc: "DN that searches users and groups; empty: anonymous."},
		{Name: "kitsune.authentication.ldap.bindpw", Type: TypeString, Default: "", Scope: ScopeServer,
			Doc: "Password of binddn (never logged)."},
		{Name: "kitsune.authentication.ldap.groupFilter", Type: TypeString, Default: "", Scope: ScopeServer,
			Doc: "A user gets in only when this filter matches an entry under baseDN; {user} and {dn} are replaced, e.g. (&(objectClass=groupOfNames)(cn=analysts)(member={dn}))."},
		{Name: "kitsune.authentication.ldap.starttls", Type: TypeBool, Default: "false", Scope: ScopeServer,
			Doc: "Upgrade ldap:// connections with StartTLS."},
		{Name: "kitsune.authentication.ldap.cache.ttl", Type: TypeDuration, Default: "PT1M", Scope: ScopeServer,
			Doc: "Successful binds are remembered this long (failures never)."},
		{Name: "kitsune.kinit.principal", Type: TypeString, Default: "", Scope: ScopeServer,
			Doc: "The gateway's own principal: set with kitsune.kinit.keytab, the gateway runs kinit -kt at start (failure stops startup) and every kitsune.kinit.interval, so that spark-submit and Hadoop clients it starts find a fresh ticket in its credential cache (KRB5CCNAME). _HOST as in kitsune.authentication.kerberos.principal."},
		{Name: "kitsune.kinit.keytab", Type: TypeString, Default: "", Scope: ScopeServer,
			Doc: "Keytab of kitsune.kinit.principal."},
		{Name: "kitsune.kinit.interval", Type: TypeDuration, Default: "PT1H", Scope: ScopeServer,
			Doc: "How often the gateway renews its ticket."},
		{Name: "kitsune.kinit.max.attempts", Type: TypeInt, Default: "10", Scope: ScopeServer,
			Doc: "Consecutive failed renewals (retried every minute) before the gateway logs an error and waits for the next interval."},
		// Engines.
		{Name: "kitsune.engine.type", Type: TypeString, Default: "DUCKDB", Scope: ScopeServer,
			Choices: []string{"DUCKDB", "SPARK_SQL"},
			Doc:     "Kind of engine launched for sessions. DUCKDB: the built-in local engine (a kitsune engine process over embedded DuckDB); SPARK_SQL: Spark engines launched with spark-submit (docs/spark.md)."},
		{Name: "kitsune.engine.spark.mode", Type: TypeString, Default: "thriftserver", Scope: ScopeServer,
			Choices: []string{"THRIFTSERVER", "KYUUBI-ENGINE"},
			Doc:     "thriftserver: Spark's own Thrift server (HiveThriftServer2, client deploy mode); kyuubi-engine: the Apache Kyuubi Spark SQL engine jar, client or cluster mode, which registers in ZooKeeper (needs kitsune.ha.addresses)."},
		{Name: "kitsune.engine.spark.main.resource", Type: TypeString, Default: "", Scope: ScopeServer,
			Doc: "The kyuubi-spark-sql-engine jar (kyuubi-engine mode)."},
		{Name: "kitsune.engine.spark.bind.host", Type: TypeString, Default: "127.0.0.1", Scope: ScopeServer,
			Doc: "Address a Thrift-server engine listens on (the driver runs on the gateway's host in client mode)."},
		{Name: "kitsune.engine.spark.kubernetes.queue.key", Type: TypeString, Default: "", Scope: ScopeServer,
			Doc: "The Spark conf that carries the queue on Kubernetes, e.g. a YuniKorn or Volcano queue label; empty: the queue is not passed on Kubernetes."},
		{Name: "kitsune.engine.spark.kill.command", Type: TypeString, Default: "", Scope: ScopeServer,
			Doc: "Shell command run when a Spark application does not become ready in time, with {refId} replaced by its tag, e.g. yarn app -kill $(yarn app -list -appTags {refId} | awk '/application_/{print $1}'). The local spark-submit process is always stopped."},
		{Name: "kitsune.engine.doAs.enabled", Type: TypeBool, Default: "true", Scope: ScopeServer,
			Doc: "Run Spark engines as the session user (--proxy-user), unless spark.kerberos.principal and keytab are set."},
		{Name: "kitsune.engineEnv.<NAME>", Type: TypeString, Default: "", Scope: ScopeServer, Pattern: true,
			Doc: "Environment variable NAME of spark-submit (SPARK_HOME, HADOOP_CONF_DIR, JAVA_HOME, …)."},
		{Name: "kitsune.engine.share.level", Type: TypeString, Default: "USER", Scope: ScopeSession,
			Choices: []string{"CONNECTION", "USER", "GROUP", "SERVER"},
			Doc:     "Which sessions share an engine. CONNECTION: one per session, stopped when it closes; USER: one per user; GROUP: one per primary group; SERVER: one for everybody, run as the server user. Clients may choose per session unless the key is in kitsune.session.conf.restrict.list."},
		{Name: "kitsune.engine.share.level.subdomain", Type: TypeString, Default: "", Scope: ScopeSession,
			Doc: "Splits a share level into named engines (e.g. etl, adhoc): sessions with different subdomains get different engines. Lower-cased; letters, digits, '-' and '_' only."},
		{Name: "kitsune.engine.pool.size", Type: TypeInt, Default: "-1", Scope: ScopeSession,
			Doc: "Spread a tenant's sessions over this many engines (subdomains <pool name>-0 … -N-1); -1: no pool. Ignored when kitsune.engine.share.level.subdomain is set. At most kitsune.engine.pool.size.threshold."},
		{Name: "kitsune.engine.pool.name", Type: TypeString, Default: "engine-pool", Scope: ScopeSession,
			Doc: "Name of the engine pool: the prefix of its engines' subdomains."},
		{Name: "kitsune.engine.pool.selectPolicy", Type: TypeString, Default: "RANDOM", Scope: ScopeSession,
			Choices: []string{"RANDOM", "POLLING"},
			Doc:     "How a session picks its engine in the pool: RANDOM, or POLLING (round robin)."},
		{Name: "kitsune.engine.pool.size.threshold", Type: TypeInt, Default: "9", Scope: ScopeServer,
			Doc: "Largest kitsune.engine.pool.size a session may ask for; a larger request is refused."},
		{Name: "kitsune.engine.queue", Type: TypeString, Default: "", Scope: ScopeEngine,
			Doc: "Queue of the session's engine (spark.yarn.queue means the same). Part of the engine profile: sessions asking for different queues get different engines."},
		{Name: "kitsune.engine.max.cores", Type: TypeInt, Default: "", Scope: ScopeServer,
			Doc: "Largest kitsune.engine.cores (or spark.executor.cores) a session may ask for; set per user as ___NAME___.kitsune.engine.max.cores or per group as ___group:NAME___.kitsune.engine.max.cores. A request above it is refused, never clamped. Empty: no limit."},
		{Name: "kitsune.engine.max.memory", Type: TypeBytes, Default: "", Scope: ScopeServer,
			Doc: "Largest kitsune.engine.memory (or spark.executor.memory / spark.driver.memory) a session may ask for; per user or group as for kitsune.engine.max.cores. Empty: no limit."},
		{Name: "kitsune.session.group.mapping", Type: TypeString, Default: "", Scope: ScopeServer,
			Doc: "File mapping users to groups, one 'user=group1,group2' per line (the first group is the primary one, used by share level GROUP). Empty: the operating system's groups; a user with none is in a group of its own name."},
		{Name: "kitsune.engine.max.concurrent.launches", Type: TypeInt, Default: "8", Scope: ScopeServer,
			Doc: "How many engines may be starting at once; further launches wait their turn."},
		{Name: "kitsune.server.limit.sessions", Type: TypeInt, Default: "0", Scope: ScopeServer,
			Doc: "Most open sessions on this gateway, every user together; beyond it OpenSession is refused (SQLSTATE 08004) naming this key. 0: no limit."},
		{Name: "kitsune.server.limit.operations.per.session", Type: TypeInt, Default: "0", Scope: ScopeServer,
			Doc: "Most open operations (statements and metadata calls not yet closed) one session may have; beyond it the call is refused naming this key. 0: no limit."},
		{Name: "kitsune.server.limit.operations.per.user", Type: TypeInt, Default: "0", Scope: ScopeServer,
			Doc: "Most open operations one user may have on this gateway, all sessions together; 0: no limit."},
		{Name: "kitsune.server.limit.connections.per.user", Type: TypeInt, Default: "0", Scope: ScopeServer,
			Doc: "Most open sessions one user may have on this gateway; 0: no limit."},
		{Name: "kitsune.server.limit.connections.per.ipaddress", Type: TypeInt, Default: "0", Scope: ScopeServer,
			Doc: "Most open sessions from one client address; 0: no limit."},
		{Name: "kitsune.server.limit.connections.per.user.ipaddress", Type: TypeInt, Default: "0", Scope: ScopeServer,
			Doc: "Most open sessions of one user from one client address; 0: no limit."},
		{Name: "kitsune.server.limit.connections.user.unlimited.list", Type: TypeList, Default: "", Scope: ScopeServer,
			Doc: "Users the connection limits do not apply to."},
		{Name: "kitsune.server.limit.connections.user.deny.list", Type: TypeList, Default: "", Scope: ScopeServer,
			Doc: "Users refused outright."},
		{Name: "kitsune.server.limit.connections.ip.deny.list", Type: TypeList, Default: "", Scope: ScopeServer,
			Doc: "Client addresses refused outright."},
		{Name: "kitsune.server.proxyuser.<user>.users", Type: TypeList, Default: "", Scope: ScopeServer, Pattern: true,
			Doc: "Users that <user> may run sessions as (hive.server2.proxy.user / kitsune.session.proxy.user); * for any. Hadoop's proxy-user rules: the target must be listed here or be in one of .groups, and the client address must match .hosts."},
		{Name: "kitsune.server.proxyuser.<user>.groups", Type: TypeList, Default: "", Scope: ScopeServer, Pattern: true,
			Doc: "Groups whose members <user> may run sessions as; * for any."},
		{Name: "kitsune.server.proxyuser.<user>.hosts", Type: TypeList, Default: "", Scope: ScopeServer, Pattern: true,
			Doc: "Client addresses (IPs or CIDRs) from which <user> may impersonate; * for any. Empty: impersonation is refused."},
		{Name: "kitsune.engine.local.queues", Type: TypeString, Default: "", Scope: ScopeServer,
			Doc: "Queues of local engines with their capacities, e.g. default:cores=8,memory=16g;etl:cores=2,memory=4g. A launch reserves its profile's cores (1 when unset) and memory (1g when unset) in its queue (kitsune.engine.queue, default 'default') until the engine stops; one that does not fit waits in FIFO order. Empty: no queues, no accounting."},
		{Name: "kitsune.engine.queue.wait.timeout", Type: TypeDuration, Default: "PT1M", Scope: ScopeServer,
			Doc: "How long a launch waits for room in its queue before it fails with the queue's capacity and what uses it."},
		{Name: "kitsune.session.proxy.user", Type: TypeString, Default: "", Scope: ScopeSession,
			Doc: "Run the session as this user instead of the authenticated one (hive.server2.proxy.user means the same); allowed only by the kitsune.server.proxyuser.<user>.* rules."},
		{Name: "kitsune.session.conf.restrict.list", Type: TypeList, Default: "", Scope: ScopeServer,
			Doc: "Keys a client may not set: a session that sets one is refused with a message naming the key."},
		{Name: "kitsune.session.conf.ignore.list", Type: TypeList, Default: "", Scope: ScopeServer,
			Doc: "Keys silently dropped from client session confs."},
		{Name: "kitsune.session.conf.profile.pinned", Type: TypeBool, Default: "false", Scope: ScopeServer,
			Doc: "Pin one engine per share-level key: a session asking for another queue/cores/memory than its engine has is served by that engine with a SUCCESS_WITH_INFO warning listing the confs that did not apply. false: such a session gets an engine of its own."},
		{Name: "kitsune.engine.security.secret", Type: TypeString, Default: "", Scope: ScopeServer,
			Doc: "Secret that engines require from the gateway on every engine session. Empty: a random secret per gateway process."},
		{Name: "kitsune.server.work.dir", Type: TypeString, Default: "work", Scope: ScopeServer,
			Doc: "Directory for engine logs and data: <dir>/<user>/ holds each user's engine logs and DuckDB database."},
		{Name: "kitsune.session.engine.initialize.timeout", Type: TypeDuration, Default: "PT3M", Scope: ScopeServer,
			Doc: "How long a session waits for its engine to start before the launch fails and the engine process is killed."},
		{Name: "kitsune.session.engine.idle.timeout", Type: TypeDuration, Default: "PT30M", Scope: ScopeServer,
			Doc: "An engine with no session for this long is stopped."},
		{Name: "kitsune.session.check.interval", Type: TypeDuration, Default: "PT1M", Scope: ScopeServer,
			Doc: "How often idle sessions, operations and engines are looked for."},
		{Name: "kitsune.session.idle.timeout", Type: TypeDuration, Default: "PT6H", Scope: ScopeServer,
			Doc: "A session with no call for this long is closed. Engines close an HTTP session left without a gateway (its gateway died and no other adopted it) a grace after this (as long again, at most a minute), so that they can stop when idle."},
		{Name: "kitsune.operation.idle.timeout", Type: TypeDuration, Default: "PT3H", Scope: ScopeEngine,
			Doc: "An operation not touched by its client for this long is canceled and closed by its engine, freeing its buffered result."},
		{Name: "kitsune.engine.local.run.as.user", Type: TypeBool, Default: "false", Scope: ScopeServer,
			Doc: "Run each local engine as the OS user named like its tenant (the session's effective user, after the proxy-user rules), its directory owned by that user, as Kyuubi runs Spark with --proxy-user. Needs the gateway to run as root; a tenant with no OS user is refused with a message naming the user."},
		{Name: "kitsune.engine.local.command.output", Type: TypeString, Default: "SPARK", Scope: ScopeEngine,
			Choices: []string{"SPARK", "HIVE"},
			Doc:     "The form the local engine answers commands in: SPARK (SHOW TABLES gives namespace, tableName, isTemporary, as Spark's Thrift server) or HIVE (SHOW TABLES gives tab_name and GetColumns lower-case type names, as HiveServer2; old Simba-based Hive drivers read them that way — use it with kitsune.server.info.provider=SERVER). SPARK answers GetColumns TYPE_NAME as Spark does (INT, ARRAY<INT>)."},
		{Name: "kitsune.operation.statement.logging", Type: TypeBool, Default: "false", Scope: ScopeEngine,
			Doc: "Log every statement in the engine log (values of settings and options that name passwords, secrets, tokens, keytabs or keys are redacted). Off: statements and their literals stay out of the engine log; a failed statement is logged with its error class only."},
		{Name: "kitsune.operation.result.max.rows", Type: TypeInt, Default: "0", Scope: ScopeEngine,
			Doc: "Most rows a statement may return; a larger result fails with SQLSTATE 54000 naming this key instead of exhausting the engine's memory. 0: no limit. See also kitsune.operation.result.max.bytes."},
		{Name: "kitsune.operation.result.max.bytes", Type: TypeBytes, Default: "0", Scope: ScopeEngine,
			Doc: "Most bytes of one statement's result an engine keeps for its client (counted as the rows arrive, before they are sent); a larger result fails with SQLSTATE 54000 naming this key instead of exhausting the engine's memory, and the engine and its other sessions go on. 0: no limit. See also kitsune.operation.result.max.rows."},
		{Name: "kitsune.operation.query.timeout", Type: TypeDuration, Default: "0", Scope: ScopeSession,
			Doc: "Upper bound on a statement's run time; 0 means none. When a client also sets queryTimeout, the smaller wins; a statement past it ends in TIMEDOUT_STATE."},
		{Name: "kitsune.operation.status.polling.timeout", Type: TypeDuration, Default: "PT0.5S", Scope: ScopeEngine,
			Doc: "How long GetOperationStatus waits for a running statement to finish before answering (HiveServer2's long polling): short queries need one status call."},
		{Name: "kitsune.engine.memory", Type: TypeBytes, Default: "", Scope: ScopeEngine,
			Doc: "Memory limit of a local engine (DuckDB memory_limit), e.g. 4g. Empty: DuckDB's default (80% of RAM)."},
		{Name: "kitsune.engine.cores", Type: TypeInt, Default: "", Scope: ScopeEngine,
			Doc: "Threads of a local engine (DuckDB threads). Empty: one per core."},
	}
}

// Lookup returns the declared key named name (after alias folding). A
// pattern key such as kitsune.server.proxyuser.<user>.hosts matches any
// value in place of <user>.
func Lookup(name string) (Key, bool) {
	idx := keyIndex()
	name = Canonical(name)
	if k, ok := idx.exact[name]; ok {
		return k, true
	}
	for _, k := range idx.patterns {
		open, close := strings.IndexByte(k.Name, '<'), strings.IndexByte(k.Name, '>')
		pre, post := k.Name[:open], k.Name[close+1:]
		if strings.HasPrefix(name, pre) && strings.HasSuffix(name, post) && len(name) > len(pre)+len(post) {
			return k, true
		}
	}
	return Key{}, false
}

// index is the declarations by name, and the pattern keys in order.
type index struct {
	exact    map[string]Key
	patterns []Key
}

// keyIndex is built once from Declared and never changes: Lookup runs for
// every key of every session's configuration, and rebuilding and scanning
// the declarations each time showed in the session-open profile.
var keyIndex = sync.OnceValue(func() index {
	idx := index{exact: map[string]Key{}}
	for _, k := range Declared() {
		if k.Pattern {
			idx.patterns = append(idx.patterns, k)
			continue
		}
		if _, dup := idx.exact[k.Name]; !dup {
			idx.exact[k.Name] = k
		}
	}
	return idx
})
