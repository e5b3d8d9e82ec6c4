package conf

import (
	"strconv"
	"strings"
	"time"
)

// The typed sections of the server configuration, built once by FromMap
// from validated values (declared defaults applied): the only place that
// names these keys. Packages below server take the sections, or options
// built from them, and never a key.

// LDAP configures LDAP authentication.
type LDAP struct {
	URL, BaseDN, UserDNPattern, GUIDKey, BindDN, BindPassword, GroupFilter string
	StartTLS                                                               bool
	CacheTTL                                                               time.Duration
}

// Kerberos configures the Kerberos acceptor and the kinit loop.
type Kerberos struct {
	Principal, Keytab, PrincipalRules string
	MaxClockSkew                      time.Duration
	SPNEGOPrincipal, SPNEGOKeytab     string
	SASLQop                           string
	KinitPrincipal, KinitKeytab       string
	KinitInterval                     time.Duration
	KinitMaxAttempts                  int
}

// HA configures ZooKeeper discovery.
type HA struct {
	Addresses                      []string
	Namespace                      string
	SessionTimeout, ConnectTimeout time.Duration
	LostGrace                      time.Duration
	AuthType, Digest               string
	PublishConfigs                 bool
	// ClientClass is kitsune.ha.client.class as given (discovery/connect
	// reads it); the Etcd* fields configure the etcd backend.
	ClientClass               string
	EtcdLease                 time.Duration
	EtcdUser, EtcdPassword    string
	EtcdCA, EtcdCert, EtcdKey string
}

// Cookie configures the HTTP authentication cookie.
type Cookie struct {
	Enabled, HTTPOnly  bool
	Name, Domain, Path string
	MaxAge             time.Duration
	KeyFile            string
}

// Limits are the connection limits and deny lists.
type Limits struct {
	PerUser, PerIP, PerUserIP           int
	Sessions, OpsPerSession, OpsPerUser int
	UnlimitedUsers, DenyUsers, DenyIPs  []string
}

// SharedLocation is a local engines' shared data location.
type SharedLocation struct {
	Path, Format            string
	Users, Groups           []string
	WriteUsers, WriteGroups []string
}

// Engines configures launching and pooling engines.
type Engines struct {
	MaxConcurrentLaunches int
	QueueWait             time.Duration
	LocalQueues           string
	GroupMapping          string
	ProfilePinned         bool
	RunAsUser             bool
	// Forwarded are the engine-wide settings every engine gets.
	Forwarded map[string]string
	// Env is kitsune.engineEnv.<NAME> as NAME → value.
	Env   map[string]string
	Spark Spark
	// Shared are the local engines' shared data locations, by name.
	Shared map[string]SharedLocation
}

// Spark configures the spark-submit launcher.
type Spark struct {
	Mode, MainResource, K8sQueueKey, BindHost, KillCommand string
	DoAs                                                   bool
}

// ProxyUser is one real user's impersonation rule
// (kitsune.server.proxyuser.<user>.users|groups|hosts).
type ProxyUser struct {
	Users, Groups, Hosts []string
	// Source is the keys' common prefix, for refusals.
	Source string
}

// REST configures the REST API.
type REST struct {
	Port int
	// Administrators may call /api/v1/admin and see every user's work.
	Administrators []string
}

// Observability configures metrics, events and the audit log.
type Observability struct {
	MetricsEnabled bool
	MetricsPort    int
	MetricsPath    string
	EventLoggers   []string
	EventLogPath   string
	AuditLogPath   string
}

// Authorization configures SQL authorization (docs/authorization.md).
type Authorization struct {
	Enabled bool
	// PolicyFile is the admin's policy file; RangerURL the Ranger admin
	// polled instead (one of the two).
	PolicyFile   string
	RangerURL    string
	ServiceName  string
	PollInterval time.Duration
}

// Batch configures batch jobs (POST /api/v1/batches).
type Batch struct {
	MaxResourceSize int64
	StatusCommand   string
	CheckInterval   time.Duration
}

// Frontend holds the transport settings beyond the listeners'.
type Frontend struct {
	Keystore     string
	HTTPMaxIdle  time.Duration
	GracefulStop time.Duration
	StoreURL     string
	// LoginTimeout bounds a binary handshake and an HTTP request's headers.
	LoginTimeout time.Duration
	// MaxConcurrentLogins bounds binary handshakes in progress.
	MaxConcurrentLogins int
}

// engineForwarded are the engine-scoped keys the gateway hands every
// engine it launches.
var engineForwarded = []string{"kitsune.operation.status.polling.timeout", "kitsune.operation.idle.timeout", "kitsune.session.idle.timeout",
	"kitsune.operation.result.max.rows", "kitsune.operation.result.max.bytes", "kitsune.operation.statement.logging", "kitsune.engine.local.command.output"}

// sections builds the typed sections from get (configured value, else the
// declared default) and raw (configured values only).
func (c *Config) sections(get func(string) string) {
	dur := func(k string) time.Duration { d, _ := ParseDuration(get(k)); return d }
	atoi := func(k string) int { n, _ := strconv.Atoi(strings.TrimSpace(get(k))); return n }
	on := func(k string) bool { return strings.EqualFold(get(k), "true") }
	c.LDAP = LDAP{URL: get("kitsune.authentication.ldap.url"), BaseDN: get("kitsune.authentication.ldap.baseDN"),
		UserDNPattern: get("kitsune.authentication.ldap.userDNPattern"), GUIDKey: get("kitsune.authentication.ldap.guidKey"),
		BindDN: get("kitsune.authentication.ldap.binddn"), BindPassword: get("kitsune.authentication.ldap.bindpw"),
		GroupFilter: get("kitsune.authentication.ldap.groupFilter"), StartTLS: on("kitsune.authentication.ldap.starttls"),
		CacheTTL: dur("kitsune.authentication.ldap.cache.ttl")}
	c.Kerberos = Kerberos{Principal: get("kitsune.authentication.kerberos.principal"), Keytab: get("kitsune.authentication.kerberos.keytab"),
		PrincipalRules: get("kitsune.authentication.kerberos.principal.rules"), MaxClockSkew: dur("kitsune.authentication.kerberos.max.clock.skew"),
		SPNEGOPrincipal: get("kitsune.authentication.spnego.principal"), SPNEGOKeytab: get("kitsune.authentication.spnego.keytab"),
		SASLQop: get("kitsune.authentication.sasl.qop"), KinitPrincipal: get("kitsune.kinit.principal"), KinitKeytab: get("kitsune.kinit.keytab"),
		KinitInterval: dur("kitsune.kinit.interval"), KinitMaxAttempts: atoi("kitsune.kinit.max.attempts")}
	c.HA = HA{Addresses: SplitList(get("kitsune.ha.addresses")), Namespace: get("kitsune.ha.namespace"),
		SessionTimeout: dur("kitsune.ha.zookeeper.session.timeout"), ConnectTimeout: dur("kitsune.ha.zookeeper.connection.timeout"),
		LostGrace: dur("kitsune.ha.zookeeper.lost.grace"), AuthType: strings.ToUpper(get("kitsune.ha.zookeeper.auth.type")),
		Digest: get("kitsune.ha.zookeeper.auth.digest"), PublishConfigs: on("kitsune.ha.zookeeper.publish.configs"),
		ClientClass: get("kitsune.ha.client.class"), EtcdLease: dur("kitsune.ha.etcd.lease.timeout"), EtcdUser: get("kitsune.ha.etcd.user"),
		EtcdPassword: get("kitsune.ha.etcd.password"), EtcdCA: get("kitsune.ha.etcd.ssl.ca.path"),
		EtcdCert: get("kitsune.ha.etcd.ssl.client.certificate.path"), EtcdKey: get("kitsune.ha.etcd.ssl.client.key.path")}
	c.Cookie = Cookie{Enabled: on("kitsune.frontend.thrift.http.cookie.auth.enabled"), HTTPOnly: on("kitsune.frontend.thrift.http.cookie.is.httponly"),
		Name: get("kitsune.frontend.thrift.http.cookie.name"), Domain: get("kitsune.frontend.thrift.http.cookie.domain"),
		Path: get("kitsune.frontend.thrift.http.cookie.path"), MaxAge: time.Duration(atoi("kitsune.frontend.thrift.http.cookie.max.age")) * time.Second,
		KeyFile: get("kitsune.frontend.thrift.http.cookie.key.file")}
	c.Limits = Limits{Sessions: atoi("kitsune.server.limit.sessions"), OpsPerSession: atoi("kitsune.server.limit.operations.per.session"),
		OpsPerUser: atoi("kitsune.server.limit.operations.per.user"), PerUser: atoi("kitsune.server.limit.connections.per.user"), PerIP: atoi("kitsune.server.limit.connections.per.ipaddress"),
		PerUserIP: atoi("kitsune.server.limit.connections.per.user.ipaddress"), UnlimitedUsers: SplitList(get("kitsune.server.limit.connections.user.unlimited.list")),
		DenyUsers: SplitList(get("kitsune.server.limit.connections.user.deny.list")), DenyIPs: SplitList(get("kitsune.server.limit.connections.ip.deny.list"))}
	c.Engines = Engines{MaxConcurrentLaunches: atoi("kitsune.engine.max.concurrent.launches"), QueueWait: dur("kitsune.engine.queue.wait.timeout"),
		LocalQueues: get("kitsune.engine.local.queues"), GroupMapping: get("kitsune.session.group.mapping"),
		ProfilePinned: on("kitsune.session.conf.profile.pinned"), RunAsUser: on("kitsune.engine.local.run.as.user"),
		Forwarded: map[string]string{}, Env: map[string]string{},
		Spark: Spark{Mode: strings.ToLower(get("kitsune.engine.spark.mode")), MainResource: get("kitsune.engine.spark.main.resource"),
			K8sQueueKey: get("kitsune.engine.spark.kubernetes.queue.key"), BindHost: get("kitsune.engine.spark.bind.host"),
			KillCommand: get("kitsune.engine.spark.kill.command"), DoAs: !strings.EqualFold(get("kitsune.engine.doAs.enabled"), "false")}}
	c.Engines.Shared = sharedLocations(c.Raw)
	for _, k := range engineForwarded {
		if v, ok := c.Raw[k]; ok && v != "" {
			c.Engines.Forwarded[k] = v
		}
	}
	for k, v := range c.Raw {
		if name, ok := strings.CutPrefix(k, "kitsune.engineEnv."); ok {
			c.Engines.Env[name] = v
		}
	}
	c.ProxyUsers = map[string]ProxyUser{}
	for k, v := range c.Raw {
		rest, ok := strings.CutPrefix(k, "kitsune.server.proxyuser.")
		if !ok {
			continue
		}
		i := strings.LastIndexByte(rest, '.')
		if i <= 0 {
			continue
		}
		real, what := rest[:i], rest[i+1:]
		p := c.ProxyUsers[real]
		p.Source = "kitsune.server.proxyuser." + real
		switch what {
		case "users":
			p.Users = SplitList(v)
		case "groups":
			p.Groups = SplitList(v)
		case "hosts":
			p.Hosts = SplitList(v)
		}
		c.ProxyUsers[real] = p
	}
	c.Observability = Observability{MetricsEnabled: on("kitsune.metrics.enabled"), MetricsPort: atoi("kitsune.metrics.prometheus.port"),
		MetricsPath: get("kitsune.metrics.prometheus.path"), EventLoggers: upper(SplitList(get("kitsune.backend.server.event.loggers"))),
		EventLogPath: strings.TrimPrefix(get("kitsune.backend.server.event.json.log.path"), "file://"), AuditLogPath: get("kitsune.audit.log.path")}
	c.Authorization = Authorization{Enabled: on("kitsune.authorization.enabled"), PolicyFile: get("kitsune.authorization.policy.file"),
		RangerURL: strings.TrimRight(get("kitsune.authorization.ranger.url"), "/"), ServiceName: get("kitsune.authorization.ranger.service.name"),
		PollInterval: dur("kitsune.authorization.ranger.poll.interval")}
	c.REST = REST{Port: atoi("kitsune.frontend.rest.bind.port"), Administrators: SplitList(get("kitsune.server.administrators"))}
	maxRes, _ := ParseBytes(get("kitsune.batch.resource.file.max.size"))
	c.Batch = Batch{MaxResourceSize: maxRes, StatusCommand: get("kitsune.batch.application.status.command"),
		CheckInterval: dur("kitsune.batch.state.check.interval")}
	c.Frontend = Frontend{Keystore: get("kitsune.frontend.ssl.keystore"), HTTPMaxIdle: dur("kitsune.frontend.thrift.http.max.idle.time"),
		GracefulStop: dur("kitsune.server.graceful.stop.timeout"), StoreURL: get("kitsune.metadata.store.url"),
		LoginTimeout: dur("kitsune.frontend.thrift.login.timeout"), MaxConcurrentLogins: atoi("kitsune.frontend.thrift.login.max.concurrent")}
}

// sharedLocations reads the kitsune.engine.local.shared.<name>.* keys.
func sharedLocations(raw map[string]string) map[string]SharedLocation {
	out := map[string]SharedLocation{}
	for k, v := range raw {
		rest, ok := strings.CutPrefix(k, "kitsune.engine.local.shared.")
		if !ok {
			continue
		}
		name, attr, ok := strings.Cut(rest, ".")
		if !ok {
			continue
		}
		l := out[name]
		if l.Format == "" {
			l.Format = "files"
		}
		switch attr {
		case "path":
			l.Path = v
		case "format":
			l.Format = strings.ToLower(strings.TrimSpace(v))
		case "users":
			l.Users = SplitList(v)
		case "groups":
			l.Groups = SplitList(v)
		case "write.users":
			l.WriteUsers = SplitList(v)
		case "write.groups":
			l.WriteGroups = SplitList(v)
		}
		out[name] = l
	}
	return out
}
