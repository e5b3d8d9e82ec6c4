// Package session keeps the gateway's sessions: which engine serves each
// session handle, which session each operation handle belongs to, and the
// connections to the engine that carry the session's calls. Sessions end
// when the client closes them, its connection drops, or they stay idle.
package session
