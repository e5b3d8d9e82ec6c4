package authz

import "fmt"

// Denial is the refusal text, in the form Kyuubi's Spark authorization
// plugin uses, so that what users and their tools match on carries over:
// Permission denied: user [bob] does not have [select] privilege on
// [default/sales/amount].
func Denial(user, access string, r Resource) string {
	return fmt.Sprintf("Permission denied: user [%s] does not have [%s] privilege on [%s]", user, access, r)
}
