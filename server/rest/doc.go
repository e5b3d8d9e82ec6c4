// Package rest is the REST front end: Kyuubi's /api/v1 (sessions,
// operations, admin, batches) with Kyuubi's paths and JSON field names, so
// that a Kyuubi REST client works against kitsune unchanged, and an
// OpenAPI document (/openapi.json) built from the same route table.
//
// A REST session is an HS2 session: every call goes through the gateway's
// TCLIService (Gateway.CLI), so tenancy, engines, limits and the metadata
// store are the same. Authentication, authorisation (administrators,
// proxyUser), the audit line and the error mapping live in one layer
// (Handler.serve), not in the endpoints.
package rest
