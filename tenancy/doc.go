// Package tenancy decides which engine serves a session: the one owner of
// the rules that turn "who asks, with which confs" into an engine Key and a
// launch Spec (share level and routing user, pools, subdomains, profiles
// and pins, maxima), and of the engine-space names that keys are
// registered under (Spaces). Resolve does no I/O: the caller looks the key
// up in the engine pool and launches with the spec when nothing is there.
package tenancy
