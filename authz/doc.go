// Package authz decides SQL access from policies in Apache Ranger's Hive
// service format: access policies (allow and deny items with their
// exceptions, priorities, deny-all-else), row-filter policies and
// data-masking policies over database/table/column resources, for users,
// groups and roles. Policies come from a file reloaded when it changes
// (File), which a gateway may keep filled from a Ranger admin's
// policy-download endpoint (Poller). The local engine asks it before every
// statement; nothing here knows SQL.
package authz
