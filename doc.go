// Package healthcode holds the domain of the health-code platform: people and
// their identity documents, declarations, facts, colours and statuses, the
// error vocabulary and the store interfaces the adapters implement.
//
// It imports nothing of the application: identity checks live in package
// identity, the rules in package policy, signed codes in package healthqr,
// and storage and HTTP in internal/.
package healthcode
