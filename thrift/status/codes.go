package status

// Refusal codes. They travel as TStatus.errorCode, which JDBC drivers
// return from SQLException.getErrorCode(), beside the SQLSTATE: tests and
// clients match on the code, never on the message. The ranges are by
// kind: 1xxxx a session configuration, 2xxxx a limit, 3xxxx identity and
// impersonation, 4xxxx engines, the metadata store and the gateway itself.
const (
	CodeConfRestricted  int32 = 10001 // kitsune.session.conf.restrict.list
	CodeConfUnknown     int32 = 10002 // an unknown kitsune.* key
	CodeConfServerScope int32 = 10003 // a server setting sent per session
	CodeConfInvalid     int32 = 10004 // a value of the wrong form
	CodeNoGroup         int32 = 10005 // GROUP share level, user in no group

	CodeLimitConnections int32 = 20001 // per user, address, user and address
	CodeLimitSessions    int32 = 20002 // kitsune.server.limit.sessions
	CodeLimitOpsSession  int32 = 20003 // kitsune.server.limit.operations.per.session
	CodeLimitOpsUser     int32 = 20004 // kitsune.server.limit.operations.per.user
	CodeDeniedUser       int32 = 20005 // the user deny list
	CodeDeniedAddress    int32 = 20006 // the address deny list
	CodeAboveMaximum     int32 = 20007 // cores, memory or pool size above the admin's maximum

	CodeImpersonation int32 = 30001 // the proxy-user rules refuse
	// SQL authorization (kitsune.authorization.enabled), SQLSTATE 42000.
	CodeAuthzDenied     int32 = 30010 // a policy denies the access (Permission denied: user [u] does not have [a] privilege on [r])
	CodeAuthzUnverified int32 = 30011 // a statement form or read path that cannot be authorized is refused

	CodeNoEngine          int32 = 40001 // no engine could be had (launch failed or timed out)
	CodeEngineStopped     int32 = 40002 // the session's engine process stopped
	CodeEngineLost        int32 = 40003 // the session's engine did not answer
	CodeStoreUnavailable  int32 = 40010 // the metadata store cannot be asked
	CodeGatewayDraining   int32 = 40020 // this gateway is stopping
	CodeSessionWasRefused int32 = 40030 // a call on the handle of a refused OpenSession

	// The REST API's refusals (docs/rest.md), in its error body's errorCode.
	CodeRESTBadRequest      int32 = 50001 // a malformed body, parameter or handle
	CodeRESTNotFound        int32 = 50002 // no such session, operation, engine or batch (for this user)
	CodeRESTForbidden       int32 = 50003 // an admin endpoint, or another user's work
	CodeRESTUnauthenticated int32 = 50004 // no credentials, or credentials refused
	CodeBatchRefused        int32 = 50010 // a batch request the configuration refuses (type, upload, size)
)
