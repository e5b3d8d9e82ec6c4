// Package ui is the web UI at /ui on the REST port: static pages embedded
// in the binary (no build step, no CDN) that call the REST API with the
// logged-in user's credentials, so they see and do what that user may
// (admin views for administrators only).
package ui
